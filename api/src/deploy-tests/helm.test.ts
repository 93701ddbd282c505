/**
 * The Helm chart (deploy/helm/neurogrid), rendered by the chart's own template subset
 * (helm-render.ts) with its values file, every object validated against the Kubernetes schemas
 * of the `kubernetes-models` packages, then its head, api (with its migrate init container),
 * dispatcher and worker containers run as the kubelet would start them (kube-pods.ts), inside a
 * network namespace where the Services' names resolve to loopback. The worker joins with an
 * identity from deploy/helm/worker-identities.sh and runs a paid task on a registered model
 * that it downloads from the api.
 *
 * Proven here: the rendered objects are valid Kubernetes objects; their commands, arguments,
 * environment, secret keys, mounted files, Service names and certificates work together.
 * Not proven: Helm's own renderer (the chart keeps to the subset the test renders, and the
 * renderer refuses anything else), scheduling, probes, resource and GPU limits, DNS of a real
 * cluster, more than one pod per workload (one api replica is run).
 */
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { randomBytes } from "node:crypto";
import { chmod, mkdtemp, readdir, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { promisify } from "node:util";
import { Deployment, StatefulSet } from "kubernetes-models/apps/v1";
import { Secret, Service } from "kubernetes-models/v1";
import { balanceOf, faucet, modelFiles, paidTask, signUp } from "../testing/deploy-flow.js";
import { renderChart } from "../testing/helm-render.js";
import { containerSpec, type Secrets, type Workload } from "../testing/kube-pods.js";
import { CLI } from "../testing/local-cluster.js";
import { imageArgv, REPO_ROOT } from "../testing/neurogrid-image.js";
import { ServiceNetwork } from "../testing/service-network.js";

const run = promisify(execFile);
const CHART = join(REPO_ROOT, "deploy", "helm", "neurogrid");
const RELEASE = { name: "ng", namespace: "neurogrid" };
const echo = process.env.TEST_VERBOSE
  ? (n: string, l: string) => process.stderr.write(`[${n}] ${l}\n`)
  : undefined;
const MODELS = {
  "apps/v1/Deployment": Deployment,
  "apps/v1/StatefulSet": StatefulSet,
  "v1/Secret": Secret,
  "v1/Service": Service,
} as const;

type K8sObject = Record<string, unknown> & { apiVersion: string; kind: string; metadata: { name: string } };

function validate(objects: Record<string, unknown>[]): void {
  for (const object of objects as K8sObject[]) {
    const Model = MODELS[`${object.apiVersion}/${object.kind}` as keyof typeof MODELS];
    assert.ok(Model, `no schema for ${object.apiVersion} ${object.kind}`);
    // validate() throws with the schema path of the first violation.
    new Model(object as never).validate();
  }
}

const find = (objects: Record<string, unknown>[], kind: string, name: string) =>
  (objects as K8sObject[]).find((o) => o.kind === kind && o.metadata.name === name);

describe("the Helm chart", () => {
  const overrides = {
    externalDatabase: { url: "postgres://neurogrid:pg-password@postgres:5432/neurogrid" },
    externalRedis: { url: "redis://redis:6379" },
    api: { faucet: true },
    secrets: { jwtSecret: randomBytes(24).toString("hex"), nodeTokenSecret: randomBytes(24).toString("hex") },
  };

  test("renders valid Kubernetes objects, and with an existing secret makes none of its own", () => {
    const { objects } = renderChart(CHART, RELEASE, overrides);
    validate(objects);
    const kinds = (objects as K8sObject[]).map((o) => `${o.kind}/${o.metadata.name}`).sort();
    assert.deepEqual(kinds, [
      "Deployment/ng-api",
      "Deployment/ng-dispatcher",
      "Deployment/ng-head",
      "Secret/ng-secrets",
      "Service/ng-api",
      "Service/ng-head",
      "Service/ng-worker",
      "StatefulSet/ng-worker",
    ]);
    const existing = renderChart(CHART, RELEASE, { secrets: { existingSecret: "mine" } }).objects;
    validate(existing);
    assert.equal(find(existing, "Secret", "ng-secrets"), undefined);
    const refs = JSON.stringify(existing).match(/"secretKeyRef":\{"name":"[^"]+"/g) ?? [];
    assert.ok(refs.length > 0 && refs.every((r) => r.endsWith('"mine"')), refs.join(" "));
  });

  test("GPU workers ask for GPUs on GPU nodes, and only the api's Service can be exposed", () => {
    const { objects } = renderChart(CHART, RELEASE, {
      ...overrides,
      api: { service: { type: "LoadBalancer" } },
    });
    const worker = find(objects, "StatefulSet", "ng-worker") as unknown as {
      spec: {
        template: {
          spec: {
            nodeSelector: Record<string, string>;
            tolerations: { key: string }[];
            containers: { resources: { limits: Record<string, unknown> } }[];
          };
        };
      };
    };
    const pod = worker.spec.template.spec;
    assert.equal(pod.containers[0]?.resources.limits["nvidia.com/gpu"], 1);
    assert.equal(pod.nodeSelector["nvidia.com/gpu.present"], "true");
    assert.equal(pod.tolerations[0]?.key, "nvidia.com/gpu");
    const services = (objects as K8sObject[]).filter((o) => o.kind === "Service") as unknown as {
      metadata: { name: string };
      spec: { type?: string; clusterIP?: string };
    }[];
    const exposed = services.filter((s) => s.spec.type !== undefined && s.spec.type !== "ClusterIP");
    assert.deepEqual(
      exposed.map((s) => s.metadata.name),
      ["ng-api"],
    );
    assert.equal(services.find((s) => s.metadata.name === "ng-worker")?.spec.clusterIP, "None");
    assert.doesNotMatch(JSON.stringify(objects), /hostPort|hostNetwork/);
  });

  test("with payouts on, one payouts Deployment alone mounts the keys; the api gets the chain's addresses only", () => {
    const { objects } = renderChart(CHART, RELEASE, {
      ...overrides,
      payouts: {
        enabled: true,
        solanaRpcUrl: "http://solana:8899",
        neuroMint: "Mint1111111111111111111111111111111111111111",
        treasuryAddress: "Treasury11111111111111111111111111111111111",
        hotWalletAddress: "Hot1111111111111111111111111111111111111111",
        publicDomain: "neurogrid.example",
      },
    });
    validate(objects);
    const payouts = find(objects, "Deployment", "ng-payouts") as unknown as {
      spec: {
        replicas: number;
        template: {
          spec: {
            containers: { args: string[]; env: { name: string; value?: string }[] }[];
            volumes: { secret?: { secretName: string; defaultMode: number } }[];
          };
        };
      };
    };
    assert.ok(payouts, "a payouts Deployment");
    assert.equal(payouts.spec.replicas, 1, "one signer");
    const pod = payouts.spec.template.spec;
    assert.deepEqual(pod.containers[0]?.args, ["payouts", "run"]);
    assert.deepEqual(pod.volumes[0]?.secret, { secretName: "neurogrid-payout-keys", defaultMode: 0o600 });
    for (const o of objects as K8sObject[]) {
      if (o.metadata.name === "ng-payouts") continue;
      assert.doesNotMatch(
        JSON.stringify(o),
        /neurogrid-payout-keys|_KEYPAIR/,
        `${o.kind} ${o.metadata.name}`,
      );
    }
    const api = JSON.stringify(find(objects, "Deployment", "ng-api"));
    for (const name of [
      "SOLANA_RPC_URL",
      "NEURO_MINT",
      "NEUROGRID_TREASURY_ADDRESS",
      "NEUROGRID_HOT_WALLET_ADDRESS",
    ])
      assert.match(api, new RegExp(`"name":"${name}"`));
    const off = renderChart(CHART, RELEASE, overrides).objects;
    assert.equal(find(off, "Deployment", "ng-payouts"), undefined, "off unless enabled");
  });

  test("each component reads only its own secret keys; workers read none of them", () => {
    const { objects } = renderChart(CHART, RELEASE, overrides);
    const keysOf = (kind: string, name: string) =>
      [
        ...JSON.stringify(find(objects, kind, name)).matchAll(
          /"secretKeyRef":\{"name":"ng-secrets","key":"([^"]+)"/g,
        ),
      ]
        .map((m) => m[1])
        .sort();
    assert.deepEqual(keysOf("Deployment", "ng-head"), ["node-token-secret", "redis-url"]);
    assert.deepEqual(keysOf("Deployment", "ng-dispatcher"), ["database-url", "jwt-secret", "redis-url"]);
    assert.deepEqual(keysOf("StatefulSet", "ng-worker"), []);
    assert.deepEqual(
      [...new Set(keysOf("Deployment", "ng-api"))],
      ["database-url", "jwt-secret", "node-token-secret", "redis-url"],
    );
    assert.doesNotMatch(JSON.stringify(find(objects, "StatefulSet", "ng-worker")), /envFrom|ng-secrets/);
  });

  describe("its containers, run as local processes", () => {
    let dir: string;
    let net: ServiceNetwork;
    let url: string;
    let objects: Record<string, unknown>[];
    let secrets: Secrets;
    let identity: { nodeId: string };
    const state = () => join(dir, "state");
    const workload = (kind: string, name: string) => find(objects, kind, name) as unknown as Workload;
    const startContainer = (kind: string, name: string, container: string, podName: string) =>
      net.start(
        containerSpec(workload(kind, name), container, {
          name: podName,
          namespace: RELEASE.namespace,
          stateDir: state(),
          secrets,
        }),
        echo,
      );
    const filesOf = async (path: string) => {
      const out: Record<string, string> = {};
      for (const f of await readdir(path)) out[f] = await readFile(join(path, f), "utf8");
      return out;
    };

    before(async () => {
      dir = await mkdtemp(join(tmpdir(), "neurogrid-helm-"));
      await chmod(dir, 0o755);
      objects = renderChart(CHART, RELEASE, overrides).objects;
      const certs = join(dir, "certs");
      // The certificates values.yaml documents, made by the real command.
      await run(process.execPath, [CLI, "certs", "init", certs]);
      await run(process.execPath, [CLI, "certs", "issue", certs, "--role", "head", "--host", "ng-head"]);
      await run(process.execPath, [CLI, "certs", "issue", certs, "--role", "driver"]);
      const all = await filesOf(certs);
      const pick = (...names: string[]) => Object.fromEntries(names.map((n) => [n, all[n] ?? ""]));
      const chartSecret = find(objects, "Secret", "ng-secrets") as unknown as {
        stringData: Record<string, string>;
      };
      secrets = {
        "ng-secrets": chartSecret.stringData,
        "neurogrid-tls-head": pick("ca.crt", "head.crt", "head.key"),
        "neurogrid-tls-driver": pick("ca.crt", "driver.crt", "driver.key"),
      };

      net = await ServiceNetwork.create(
        ["postgres", "redis", "ng-head", "ng-api", "ng-worker-0.ng-worker"],
        dir,
      );
      // The external PostgreSQL and Redis the values name.
      await net
        .start(
          {
            name: "postgres",
            argv: [
              process.execPath,
              join(REPO_ROOT, "api/dist/testing/postgres-service-main.js"),
              join(dir, "pg"),
              "5432",
            ],
            env: { POSTGRES_USER: "neurogrid", POSTGRES_PASSWORD: "pg-password", POSTGRES_DB: "neurogrid" },
            cwd: dir,
            mounts: {},
          },
          echo,
        )
        .waitFor(/postgres ready/);
      await net
        .start(
          {
            name: "redis",
            argv: ["redis-server", "--port", "6379", "--save", ""],
            env: {},
            cwd: dir,
            mounts: {},
          },
          echo,
        )
        .waitFor(/Ready to accept connections/);

      const migrate = startContainer("Deployment", "ng-api", "migrate", "ng-api-0");
      assert.equal(await migrate.exited, 0, migrate.output());
      await startContainer("Deployment", "ng-head", "head", "ng-head-0").waitFor(/listening on/);
      await startContainer("Deployment", "ng-api", "api", "ng-api-0").waitFor(/listening on/);
      await startContainer("Deployment", "ng-dispatcher", "dispatcher", "ng-dispatcher-0").waitFor(
        /dispatcher running/,
      );
      url = `http://127.0.0.1:${await net.publish(4000)}/graphql`;

      // worker.identitiesSecret, made as values.yaml says.
      const provider = await signUp(url, "provider");
      const out = join(dir, "identities");
      await run(join(REPO_ROOT, "deploy/helm/worker-identities.sh"), ["ng", "1", url, provider, certs, out], {
        env: { PATH: process.env.PATH, NEUROGRID: `${process.execPath} ${CLI}` },
      });
      secrets["neurogrid-worker-identities"] = await filesOf(out);
      identity = { nodeId: secrets["neurogrid-worker-identities"]?.["node-0.id"] ?? "" };
      await startContainer("StatefulSet", "ng-worker", "worker", "ng-worker-0").waitFor(
        /registered with head/,
      );
    });

    after(async () => {
      await net?.remove();
      if (dir) await rm(dir, { recursive: true, force: true });
    });

    test("the worker joins as its registered node and runs a paid task on a model it downloads from the api", async () => {
      const model = modelFiles(dir);
      // `kubectl exec` into the api pod: the operator's model register, with the api's environment.
      const api = containerSpec(workload("Deployment", "ng-api"), "api", {
        name: "ng-api-0",
        namespace: RELEASE.namespace,
        stateDir: state(),
        secrets,
      });
      const register = net.start(
        {
          ...api,
          name: "kubectl-exec",
          argv: imageArgv(["model", "register", "--manifest", model.manifest, "--onnx", model.onnx]),
        },
        echo,
      );
      assert.equal(await register.exited, 0, register.output());

      const client = await signUp(url, "client");
      await faucet(url, client);
      const before = await balanceOf(url, client);
      const task = await paidTask(url, client, model.name);
      assert.equal(task.status, "COMPLETED", JSON.stringify(task));
      assert.equal(task.nodeId, identity.nodeId, "run by the pod's registered node");
      const total = BigInt(task.cost?.total ?? "0");
      assert.ok(total > 0n);
      assert.equal(BigInt(before.available) - BigInt((await balanceOf(url, client)).available), total);
      const cached = await readdir(join(state(), "ng-worker-0-worker", "tmp", "neurogrid-models"), {
        recursive: true,
      });
      assert.ok(
        cached.some((f) => f.includes(model.sha256)),
        cached.join(", "),
      );
    });
  });
});
