/**
 * docker-compose.yml and the Helm chart, checked as far as a machine without Docker or Helm
 * allows: they parse; the services and workloads the deployment needs are there; every command
 * they run is a `neurogrid` command whose flags our own parsers accept; every NeuroGrid
 * environment variable they set is one the code reads; the chart renders (its template subset)
 * to Kubernetes objects that pass a schema; the worker asks for GPUs.
 */

import assert from "node:assert/strict";
import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { basename, join } from "node:path";
import { test } from "node:test";
import { fileURLToPath } from "node:url";
import { certsInit, certsIssue, parseHeadConfig, parseWorkerConfig } from "@neurogrid/cluster/cli";
import { Ajv } from "ajv";
import { parse, parseAllDocuments } from "yaml";
import { renderHelm } from "./helm-render.js";

const ROOT = fileURLToPath(new URL("../../../", import.meta.url));
const read = (path: string) => readFileSync(join(ROOT, path), "utf8");
const knownEnv = () =>
  [
    "api/dist/cli/api-options.js",
    "api/dist/payouts/payouts-config.js",
    ...readdirSync(join(ROOT, "cluster/dist"))
      .filter((f) => /^config.*\.js$/.test(f))
      .map((f) => `cluster/dist/${f}`),
  ]
    .map(read)
    .join("\n");

/** Checks one `neurogrid` command line against the real parsers. */
function checkCommand(args: string[]): void {
  // Environment references ($(REDIS_URL), ${NODE_ID:-…}) become plausible values of their kind.
  const [command, ...rest] = args.map((a) =>
    a
      .replace(/\$\(REDIS_URL\)/g, "redis://redis:6379")
      .replace(/\$\(([A-Z_]+)\)|\$\{[^}]+\}/g, "placeholder-1"),
  );
  const env = { NEUROGRID_HEAD_ADDRESS: "head:50051" };
  switch (command) {
    case "head":
      parseHeadConfig(rest, env);
      break;
    case "worker":
      parseWorkerConfig(rest, env);
      break;
    case "payouts":
      assert.deepEqual(rest, ["run"], "the payouts process takes its settings from the environment");
      break;
    case "api":
    case "migrate":
    case "dispatcher":
      for (const flag of rest.filter((a) => a.startsWith("--"))) {
        assert.ok(
          ["--host", "--port", "--head", "--database-url", "--redis-url", "--no-dispatcher"].includes(flag),
          flag,
        );
      }
      break;
    default:
      assert.fail(`not a neurogrid command: ${command}`);
  }
}

test("docker-compose.yml: the services, their commands, their environment", () => {
  const compose = parse(read("docker-compose.yml"), { merge: true }) as {
    services: Record<
      string,
      { command?: string[]; environment?: Record<string, string>; depends_on?: object; deploy?: unknown }
    >;
  };
  const services = compose.services;
  for (const name of ["postgres", "redis", "migrate", "head", "api", "worker"])
    assert.ok(services[name], name);
  const env = knownEnv();
  for (const [name, service] of Object.entries(services)) {
    for (const dep of Object.keys(service.depends_on ?? {}))
      assert.ok(services[dep], `${name} depends on ${dep}`);
    if (["postgres", "redis"].includes(name)) continue;
    assert.ok(service.command, `${name} runs a command`);
    checkCommand(service.command);
    for (const key of Object.keys(service.environment ?? {})) {
      if (key.startsWith("NEUROGRID_") || ["DATABASE_URL", "REDIS_URL"].includes(key)) {
        assert.ok(env.includes(key), `${name}: ${key} is read by the code`);
      }
    }
  }
  assert.match(JSON.stringify(services.worker?.deploy), /"capabilities":\["gpu"\]/);
});

const k8sObject = {
  type: "object",
  required: ["apiVersion", "kind", "metadata", "spec"],
  properties: {
    apiVersion: { enum: ["apps/v1", "v1"] },
    kind: { enum: ["Deployment", "DaemonSet", "Service"] },
    metadata: {
      type: "object",
      required: ["name"],
      properties: { name: { type: "string", pattern: "^[a-z0-9-]+$" } },
    },
  },
};

test("the Helm chart renders to valid head and api Deployments and a GPU worker DaemonSet", () => {
  const chart = "deploy/helm/neurogrid";
  const chartYaml = parse(read(`${chart}/Chart.yaml`)) as { apiVersion: string; name: string };
  assert.equal(chartYaml.apiVersion, "v2");
  const values = parse(read(`${chart}/values.yaml`)) as Record<string, unknown>;
  const validate = new Ajv().compile(k8sObject);
  const objects: { kind: string; metadata: { name: string }; spec: Record<string, unknown> }[] = [];
  for (const file of readdirSync(join(ROOT, chart, "templates"))) {
    const rendered = renderHelm(read(`${chart}/templates/${file}`), values, "ng");
    for (const doc of parseAllDocuments(rendered)) {
      assert.deepEqual(doc.errors, [], `${file} is YAML`);
      const obj = doc.toJS() as (typeof objects)[number];
      assert.ok(validate(obj), `${file}: ${JSON.stringify(validate.errors)}`);
      objects.push(obj);
    }
  }
  const kinds = objects.map((o) => `${o.kind}/${o.metadata.name}`).sort();
  assert.deepEqual(kinds, [
    "DaemonSet/ng-worker",
    "Deployment/ng-api",
    "Deployment/ng-head",
    "Service/ng-api",
    "Service/ng-head",
  ]);
  for (const o of objects.filter((x) => x.kind !== "Service")) {
    const spec = o.spec as {
      selector: { matchLabels: Record<string, string> };
      template: { metadata: { labels: Record<string, string> }; spec: { containers: { args: string[] }[] } };
    };
    assert.deepEqual(
      spec.selector.matchLabels,
      spec.template.metadata.labels,
      `${o.metadata.name} selects its pods`,
    );
    for (const c of spec.template.spec.containers) checkCommand(c.args);
  }
  const worker = objects.find((o) => o.kind === "DaemonSet");
  assert.match(JSON.stringify(worker), /"nvidia.com\/gpu":1/);
});

test("shipped deploy files: mutual TLS with `neurogrid certs` certificates, each component only its own secrets", () => {
  const chart = "deploy/helm/neurogrid";
  const shipped = [
    "docker-compose.yml",
    `${chart}/values.yaml`,
    ...readdirSync(join(ROOT, chart, "templates")).map((f) => `${chart}/templates/${f}`),
  ];
  for (const file of shipped) assert.doesNotMatch(read(file), /--insecure/, `${file} runs plain text`);

  type Service = {
    command?: string[];
    environment?: Record<string, string>;
    ports?: unknown;
    secrets?: string[];
  };
  const compose = parse(read("docker-compose.yml"), { merge: true }) as {
    services: Record<string, Service>;
    secrets: Record<string, { file: string }>;
  };
  const { head, api, worker } = compose.services as Record<"head" | "api" | "worker", Service>;
  assert.equal(head.ports, undefined, "the head's port is not published to the host");
  const forbidden = ["DATABASE_URL", "NEUROGRID_JWT_SECRET", "NEUROGRID_NODE_TOKEN_SECRET"];
  for (const key of forbidden) assert.ok(!(key in (worker.environment ?? {})), `the worker gets ${key}`);
  for (const key of ["DATABASE_URL", "NEUROGRID_JWT_SECRET"])
    assert.ok(!(key in (head.environment ?? {})), `the head gets ${key}`);
  for (const command of [head.command, worker.command])
    for (const flag of ["--tls-ca", "--tls-cert", "--tls-key"]) assert.ok(command?.includes(flag), flag);
  for (const key of ["NEUROGRID_TLS_CA", "NEUROGRID_TLS_CERT", "NEUROGRID_TLS_KEY"])
    assert.ok(api.environment?.[key], `the api reaches the head over TLS (${key})`);
  // Keys: only the payouts service is given key files; the api and the rest never are.
  for (const [name, service] of Object.entries(compose.services)) {
    const keys = Object.keys(service.environment ?? {}).filter((k) => k.endsWith("_KEYPAIR"));
    if (name === "payouts")
      assert.deepEqual(keys.sort(), ["NEUROGRID_HOT_WALLET_KEYPAIR", "NEUROGRID_TREASURY_KEYPAIR"]);
    else assert.deepEqual(keys, [], `${name} gets no key file`);
  }

  // Every certificate file compose mounts is one `neurogrid certs` makes, under that name.
  const dir = mkdtempSync(join(tmpdir(), "neurogrid-deploy-certs-"));
  try {
    certsInit(dir);
    certsIssue(dir, { role: "head", hosts: ["head"] });
    certsIssue(dir, { role: "driver" });
    certsIssue(dir, { role: "worker", nodeId: "compose-worker-1", hosts: ["worker"] });
    const made = new Set(readdirSync(dir));
    const files = Object.values(compose.secrets).map((s) =>
      basename(s.file.replace(/\$\{NODE_ID:-([^}]+)\}/, "$1")),
    );
    assert.ok(files.length >= 7, "compose mounts the CA and each component's certificate and key");
    for (const file of files) assert.ok(made.has(file), `${file} is made by neurogrid certs`);
    for (const [name, service] of Object.entries({ head, api, worker }))
      assert.ok(!service.secrets?.includes("ca.key") && (service.secrets?.length ?? 0) === 3, name);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }

  // Helm: workers mount their certificates and no secret of the api or the head.
  const values = parse(read(`${chart}/values.yaml`)) as Record<string, unknown>;
  const workerYaml = renderHelm(read(`${chart}/templates/worker.yaml`), values, "ng");
  assert.doesNotMatch(workerYaml, /envFrom|secretRef|neurogrid-api|neurogrid-head/);
  assert.match(workerYaml, /--tls-cert/);
  const headYaml = renderHelm(read(`${chart}/templates/head.yaml`), values, "ng");
  assert.match(headYaml, /--tls-cert/);
  assert.doesNotMatch(headYaml, /name: neurogrid-api\b/);
});
