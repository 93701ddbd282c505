/**
 * docker-compose.yml, run for real without a container engine: every service's exact command,
 * arguments, environment and secrets (compose-services.ts) as a local process inside a network
 * namespace where the service names resolve to loopback (service-network.ts). The certificates
 * come from the file's own `certs` commands, the worker joins with a node id and token from
 * deploy/register-node.sh, a model registered with `neurogrid model register` reaches the
 * worker only through the api's artifact route, and a paid task runs on it.
 *
 * Proven here: the commands, flags, environment variables, secret file paths, host names and
 * TLS certificates of the file work together. Not proven: the images themselves (the
 * Dockerfile's build), Compose's own scheduling (depends_on, healthchecks), GPU reservation.
 */
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { chmod, mkdir, mkdtemp, readdir, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import {
  type ComposeFile,
  composeServiceSpec,
  publishedPorts,
  readCompose,
} from "../testing/compose-services.js";
import {
  balanceOf,
  faucet,
  modelFiles,
  paidTask,
  registerNodeWithScript,
  signUp,
} from "../testing/deploy-flow.js";
import { REPO_ROOT } from "../testing/neurogrid-image.js";
import { type RunningService, ServiceNetwork } from "../testing/service-network.js";

const COMPOSE = join(REPO_ROOT, "docker-compose.yml");
const echo = process.env.TEST_VERBOSE
  ? (n: string, l: string) => process.stderr.write(`[${n}] ${l}\n`)
  : undefined;

describe("docker-compose.yml as local processes", () => {
  let dir: string;
  let net: ServiceNetwork;
  let url: string;
  let vars: Record<string, string>;
  let node: { nodeId: string; nodeToken: string };
  let worker: RunningService;
  const projectDir = () => join(dir, "project");
  const state = () => join(dir, "state");

  const start = (compose: ComposeFile, name: string, extraCommand?: string[]) =>
    net.start(
      composeServiceSpec(compose, name, { projectDir: projectDir(), stateDir: state(), extraCommand }),
      echo,
    );

  /** `docker compose run --rm SERVICE ARGS`: runs to its end, must exit 0. */
  const runOnce = async (compose: ComposeFile, name: string, args?: string[]) => {
    const service = start(compose, name, args);
    const code = await service.exited;
    assert.equal(code, 0, `${name} ${args?.join(" ") ?? ""} failed:\n${service.output()}`);
    return service.output();
  };

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), "neurogrid-compose-"));
    // The embedded PostgreSQL runs as its own user, which must reach its directory.
    await chmod(dir, 0o755);
    await mkdir(join(projectDir(), "certs"), { recursive: true });
    vars = {
      JWT_SECRET: randomBytes(24).toString("hex"),
      NODE_TOKEN_SECRET: randomBytes(24).toString("hex"),
      FAUCET: "true",
    };
    const compose = readCompose(COMPOSE, vars);
    net = await ServiceNetwork.create(Object.keys(compose.services), dir);

    // The certificate commands of the file's header, with ./certs as their /certs.
    const header = await readFile(COMPOSE, "utf8");
    const certCommands = [...header.matchAll(/^#\s+docker compose run .* migrate (certs .*)$/gm)].map((m) =>
      (m[1] ?? "").split(" ").map((a) => (a === "/certs" ? join(projectDir(), "certs") : a)),
    );
    assert.equal(certCommands.length, 3, "certs init, head and driver certificates");
    for (const args of certCommands) await runOnce(compose, "migrate", args);

    await start(compose, "postgres").waitFor(/postgres ready/);
    await start(compose, "redis").waitFor(/Ready to accept connections/);
    await runOnce(compose, "migrate");
    await start(compose, "head").waitFor(/listening on/);
    await start(compose, "api").waitFor(/listening on/);
    await start(compose, "dispatcher").waitFor(/dispatcher running/);
    const [apiPort] = publishedPorts(compose, "api");
    url = `http://127.0.0.1:${await net.publish(apiPort ?? 0)}/graphql`;

    // Step 3 of the file's header, as written (its /certs is ./certs, its api is the published port).
    const step3 = header.match(
      /deploy\/register-node\.sh \S+ "\$PROVIDER_TOKEN" (\S+) \/certs (.+?) >> \.env$/m,
    );
    assert.ok(step3, "the header registers the worker with deploy/register-node.sh");
    const provider = await signUp(url, "provider");
    node = await registerNodeWithScript(
      url,
      provider,
      step3[1] ?? "",
      join(projectDir(), "certs"),
      (step3[2] ?? "").split(" "),
    );
    const withNode = readCompose(COMPOSE, { ...vars, NODE_ID: node.nodeId, NODE_TOKEN: node.nodeToken });
    worker = start(withNode, "worker");
    await worker.waitFor(/registered with head/);
  });

  after(async () => {
    await net?.remove();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  test("a model registered with the CLI runs a paid task on the registered worker, downloaded from the api", async () => {
    const compose = readCompose(COMPOSE, vars);
    const model = modelFiles(dir);
    const registered = await runOnce(compose, "migrate", [
      "model",
      "register",
      "--manifest",
      model.manifest,
      "--onnx",
      model.onnx,
    ]);
    assert.match(registered, new RegExp(`registered ${model.name}@1.0.0 sha256 ${model.sha256}`));

    const client = await signUp(url, "client");
    await faucet(url, client);
    const before = await balanceOf(url, client);
    const task = await paidTask(url, client, model.name);
    assert.equal(task.status, "COMPLETED", JSON.stringify(task));
    assert.equal(task.nodeId, node.nodeId, "run by the node the provider registered");
    const row = task.result?.probabilities?.[0] ?? [];
    assert.ok(Math.abs(row.reduce((a, b) => a + b, 0) - 1) < 1e-4, "a softmax row");

    const total = BigInt(task.cost?.total ?? "0");
    assert.ok(total > 0n, "the task was charged");
    const after = await balanceOf(url, client);
    assert.equal(BigInt(before.available) - BigInt(after.available), total, "charged exactly its cost");

    // The worker holds the artifact in its own cache (its TMPDIR): it came over the artifact route.
    const cached = await readdir(join(state(), "worker", "tmp", "neurogrid-models"), { recursive: true });
    assert.ok(
      cached.some((f) => f.includes(model.sha256)),
      `the worker cached ${model.sha256}: ${cached.join(", ")}`,
    );
  });

  test("only the api publishes a port, and each service gets only its own secrets", () => {
    const compose = readCompose(COMPOSE, { ...vars, NODE_ID: node.nodeId, NODE_TOKEN: node.nodeToken });
    const published = Object.keys(compose.services).filter((s) => publishedPorts(compose, s).length > 0);
    assert.deepEqual(published, ["api"]);
    const envOf = (s: string) => Object.keys(compose.services[s]?.environment ?? {});
    for (const secret of ["DATABASE_URL", "NEUROGRID_JWT_SECRET", "NEUROGRID_NODE_TOKEN_SECRET", "REDIS_URL"])
      assert.ok(!envOf("worker").includes(secret), `the worker has no ${secret}`);
    assert.ok(!envOf("dispatcher").includes("NEUROGRID_NODE_TOKEN_SECRET"));
    assert.ok(!envOf("head").includes("NEUROGRID_JWT_SECRET") && !envOf("head").includes("DATABASE_URL"));
    assert.deepEqual(compose.services.worker?.secrets, ["ca.crt", "worker.crt", "worker.key"]);
    assert.deepEqual(compose.services.head?.secrets, ["ca.crt", "head.crt", "head.key"]);
  });
});
