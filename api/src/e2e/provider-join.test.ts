/**
 * A provider's machine joins a running network with the README's provider commands, as a second
 * machine would: its own data folder, model cache and config file, reaching the api and the head
 * only by their addresses (mutual TLS with the head, certificates from `neurogrid certs`; no
 * secret or file of the head's machine). The operator runs a head (per-node tokens, TLS) and an
 * api with a public URL; the provider runs
 *
 *   neurogrid node register --name … --config FILE --api-url … --head …   (id and token, 0600)
 *   neurogrid worker --config FILE --test-config                           (one line, exit 0)
 *   neurogrid worker --config FILE                                         (joins, ALIVE)
 *
 * then a registered model is served on it, downloaded through the api's artifact route into the
 * provider's own cache, a task on it completes, and the provider is credited. Every process is
 * stopped by its PID.
 */
import assert from "node:assert/strict";
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import type { MikroORM } from "@mikro-orm/postgresql";
import { buildMlpClassifierOnnx, mlpClassifierManifest, sha256Hex } from "@neurogrid/cluster/models";
import { type Child, freePort, startNodeChild } from "../cli/child-process.js";
import { Account, Role } from "../db/entities/index.js";
import { migrate, openOrm } from "../db/orm.js";
import { issueApiKey } from "../identity/api-keys.js";
import { graphqlRequest } from "../testing/graphql-clients.js";
import { apiEnv, CLI, runCli } from "../testing/local-cluster.js";
import { createTestDatabase, type TestDatabase, uniquePrefix } from "../testing/test-database.js";
import { type Fixture, seedFixture } from "./fixture.js";

const NODE_TOKEN_SECRET = "provider-join-node-token-secret";
const REGISTER_MODEL = `mutation($input: RegisterModelInput!) { registerModel(input: $input) { sha256 } }`;
const SUBMIT = `mutation($input: SubmitTaskInput!) { submitTask(input: $input) { id } }`;
const TASK = `query($id: ID!) { task(id: $id) { status error nodeId result cost { providerEarning } } }`;
/** What the provider is credited: pending until verified or the verification window passes. */
const EARNINGS = `{ me { balance { pending } } }`;

interface TaskRead {
  status: string;
  error: string | null;
  nodeId: string | null;
  result: { probabilities?: number[][] } | null;
  cost: { providerEarning: string } | null;
}

describe("a provider's machine joins with the documented commands", { timeout: 240_000 }, () => {
  const root = mkdtempSync(join(tmpdir(), "provider-join-"));
  const operator = join(root, "operator");
  const machine = join(root, "provider-machine");
  const pki = join(operator, "pki");
  const config = join(machine, "worker.yaml");
  const children: Child[] = [];
  let db: TestDatabase;
  let orm: MikroORM;
  let fx: Fixture;
  let adminKey = "";
  let apiUrl = "";
  let headAddress = "";
  let nodeId = "";

  before(async () => {
    db = await createTestDatabase();
    orm = await openOrm(db.url);
    await migrate(orm);
    fx = await seedFixture(orm, [], 100_000_000n);
    const em = orm.em.fork();
    const admin = em.create(Account, { name: "join-admin", role: Role.ADMIN });
    adminKey = issueApiKey(em, admin).key;
    await em.persist(admin).flush();

    // The operator: a CA, a head with per-node tokens over mutual TLS, an api with a public URL.
    for (const args of [
      ["init", pki],
      ["issue", pki, "--role", "head"],
      ["issue", pki, "--role", "driver"],
    ]) {
      const made = await runCli(["certs", ...args]);
      assert.equal(made.code, 0, made.stderr);
    }
    const tls = (name: string) => [
      "--tls-ca",
      join(pki, "ca.crt"),
      "--tls-cert",
      join(pki, `${name}.crt`),
      "--tls-key",
      join(pki, `${name}.key`),
    ];
    const headPort = await freePort();
    const head = await startNodeChild({
      name: "head",
      script: CLI,
      args: ["head", "--port", String(headPort), "--node-token-secret", NODE_TOKEN_SECRET, ...tls("head")],
      ready: /listening on (\S+)/,
      env: cleanEnv(),
    });
    children.push(head.child);
    headAddress = head.match[1] ?? `127.0.0.1:${headPort}`;
    const apiPort = await freePort();
    const base = `http://127.0.0.1:${apiPort}`;
    const api = await startNodeChild({
      name: "api",
      script: CLI,
      args: ["api", "--port", String(apiPort)],
      ready: /listening on (\S+)/,
      env: {
        ...cleanEnv(),
        ...apiEnv(db.url, uniquePrefix("provider-join"), headAddress, {
          NEUROGRID_NODE_TOKEN_SECRET: NODE_TOKEN_SECRET,
          NEUROGRID_PUBLIC_URL: base,
          NEUROGRID_MODEL_CACHE_DIR: join(operator, "api-models"),
          NEUROGRID_TLS_CA: join(pki, "ca.crt"),
          NEUROGRID_TLS_CERT: join(pki, "driver.crt"),
          NEUROGRID_TLS_KEY: join(pki, "driver.key"),
        }),
      },
    });
    children.push(api.child);
    apiUrl = base;
  });

  after(async () => {
    for (const child of children.reverse()) await child.stop();
    await orm?.close();
    await db?.drop();
    rmSync(root, { recursive: true, force: true });
  });

  test("node register writes the id and token into the worker config, mode 0600", async () => {
    const registered = await runCli([
      "node",
      "register",
      "--name",
      "rig",
      "--config",
      config,
      "--api-url",
      apiUrl,
      "--api-key",
      fx.providerKey,
      "--head",
      headAddress,
    ]);
    assert.equal(registered.code, 0, registered.stderr);
    nodeId = /^node id: +(\S+)$/m.exec(registered.stdout)?.[1] ?? "";
    assert.match(nodeId, /^rig-[0-9a-f]{8}$/);
    assert.equal(statSync(config).mode & 0o777, 0o600);
    // The operator issues the node's certificate (it names the node id); it goes beside the config.
    const issued = await runCli(["certs", "issue", pki, "--role", "worker", "--node-id", nodeId]);
    assert.equal(issued.code, 0, issued.stderr);
    const certs = join(machine, "certs");
    mkdirSync(certs, { recursive: true });
    for (const [from, to] of [
      ["ca.crt", "ca.crt"],
      [`worker-${nodeId}.crt`, "node.crt"],
      [`worker-${nodeId}.key`, "node.key"],
    ] as const) {
      writeFileSync(join(certs, to), readFileSync(join(pki, from)), { mode: 0o600, flag: "w" });
    }
    writeFileSync(
      config,
      `${readFileSync(config, "utf8")}tls:\n  ca: certs/ca.crt\n  cert: certs/node.crt\n  key: certs/node.key\n`,
    );
  });

  test("the worker's config checks out against the head, and the worker joins: ALIVE", async () => {
    const check = await runCli(["worker", "--config", config, "--test-config"]);
    assert.equal(check.code, 0, `${check.stdout}${check.stderr}`);
    assert.equal(
      check.stdout,
      `config ok: the head at ${headAddress} answers and accepts node ${nodeId} over TLS\n`,
    );
    const worker = await startNodeChild({
      name: nodeId,
      script: CLI,
      args: ["worker", "--config", config, "--actor-pool-size", "0"],
      ready: /registered with head/,
      env: cleanEnv(),
    });
    children.push(worker.child);
    const observer = await runCli(["certs", "issue", pki, "--role", "observer"]);
    assert.equal(observer.code, 0, observer.stderr);
    const status = await runCli([
      "status",
      "--head",
      headAddress,
      "--json",
      "--tls-ca",
      join(pki, "ca.crt"),
      "--tls-cert",
      join(pki, "observer.crt"),
      "--tls-key",
      join(pki, "observer.key"),
    ]);
    assert.equal(status.code, 0, status.stderr);
    const nodes = (JSON.parse(status.stdout) as { nodes: { nodeId: string; state: string }[] }).nodes;
    assert.equal(nodes.find((n) => n.nodeId === nodeId)?.state, "ALIVE");
  });

  test("a registered model is downloaded into the machine's own cache and a task on it credits the provider", async () => {
    const onnx = buildMlpClassifierOnnx();
    const manifest = {
      ...mlpClassifierManifest,
      name: "provider-join-mlp",
      version: "1",
      sha256: sha256Hex(onnx),
    };
    const reg = await graphqlRequest(`${apiUrl}/graphql`, adminKey, REGISTER_MODEL, {
      input: { manifest, artifactBase64: Buffer.from(onnx).toString("base64") },
    });
    assert.equal(reg.errors, undefined, JSON.stringify(reg.errors));
    const before = await earnings(fx.providerKey);

    const features = [Array.from({ length: 16 }, (_, i) => i / 16)];
    const sub = await graphqlRequest<{ submitTask: { id: string } }>(
      `${apiUrl}/graphql`,
      fx.clientKey,
      SUBMIT,
      {
        input: { model: "provider-join-mlp", version: "1", input: { features } },
      },
    );
    assert.equal(sub.errors, undefined, JSON.stringify(sub.errors));
    const task = await finished(sub.data?.submitTask.id ?? "");
    assert.equal(task?.status, "COMPLETED", JSON.stringify(task));
    assert.equal(task?.nodeId, nodeId);
    assert.equal(task?.result?.probabilities?.[0]?.length, 4);

    // The artifact came through the api's route into this machine's own cache.
    const cache = join(machine, `${nodeId}-data`, "models");
    assert.ok(existsSync(cache), "the machine's model cache");
    const cached = readdirSync(cache, { recursive: true }).map(String);
    assert.ok(
      cached.some((f) => f.includes(sha256Hex(onnx))),
      cached.join(", "),
    );

    const earned = BigInt(task?.cost?.providerEarning ?? "0");
    assert.ok(earned > 0n, "the provider earns from the task");
    assert.equal(await earnings(fx.providerKey), before + earned);
  });

  async function earnings(key: string): Promise<bigint> {
    const read = await graphqlRequest<{ me: { balance: { pending: string } } }>(
      `${apiUrl}/graphql`,
      key,
      EARNINGS,
    );
    assert.equal(read.errors, undefined, JSON.stringify(read.errors));
    return BigInt(read.data?.me.balance.pending ?? "0");
  }

  async function finished(id: string): Promise<TaskRead | undefined> {
    let task: TaskRead | undefined;
    for (const deadline = Date.now() + 90_000; Date.now() < deadline; ) {
      const read = await graphqlRequest<{ task: TaskRead }>(`${apiUrl}/graphql`, fx.clientKey, TASK, { id });
      task = read.data?.task;
      if (task && ["COMPLETED", "FAILED", "CANCELLED"].includes(task.status)) return task;
      await new Promise((r) => setTimeout(r, 200));
    }
    return task;
  }
});

/** This process's environment without its NEUROGRID_* settings and database URL. */
function cleanEnv(): NodeJS.ProcessEnv {
  return Object.fromEntries(
    Object.entries(process.env).filter(([k]) => !k.startsWith("NEUROGRID_") && k !== "DATABASE_URL"),
  );
}
