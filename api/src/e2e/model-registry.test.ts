/**
 * A registered (non-builtin) model, end to end on real processes: a head, a worker and an api
 * started through the `neurogrid` CLI; the model registered over GraphQL by an admin, a task
 * submitted to it, run by a model actor that loads the registered artifact (checked against
 * its sha256), and `neurogrid model list` showing it. Two registered models of one multiplex
 * group are served by one shared model-mux replica.
 */
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { promisify } from "node:util";
import type { MikroORM } from "@mikro-orm/postgresql";
import { ClusterClient } from "@neurogrid/cluster";
import {
  buildMlpClassifierOnnx,
  mlpClassifierManifest,
  mlpClassifierWeights,
  mlpForwardReference,
  sha256Hex,
} from "@neurogrid/cluster/models";
import type { Child } from "../cli/child-process.js";
import { Account, Role } from "../db/entities/index.js";
import { migrate, openOrm } from "../db/orm.js";
import { issueApiKey } from "../identity/api-keys.js";
import { graphqlRequest } from "../testing/graphql-clients.js";
import { apiEnv, CLI, startApi, startHead, startWorker } from "../testing/local-cluster.js";
import { createTestDatabase, type TestDatabase, uniquePrefix } from "../testing/test-database.js";
import { type Fixture, seedFixture } from "./fixture.js";

const run = promisify(execFile);
const REGISTER = `mutation($input: RegisterModelInput!) { registerModel(input: $input) { sha256 created } }`;
const SUBMIT = `mutation($input: SubmitTaskInput!) { submitTask(input: $input) { id status } }`;
const TASK = `query($id: ID!) { task(id: $id) { status result error executionProvider nodeId } }`;

interface TaskRead {
  status: string;
  result: { probabilities?: number[][] } | null;
  error: string | null;
}

describe("a registered model, end to end", () => {
  let db: TestDatabase;
  let orm: MikroORM;
  let fx: Fixture;
  let url: string;
  let adminKey: string;
  let cacheDir: string;
  let headAddress: string;
  const children: Child[] = [];
  const manifest = {
    ...mlpClassifierManifest,
    name: "registry-e2e-mlp",
    version: "0.1.0",
    description: "registered",
  };
  const onnx = buildMlpClassifierOnnx();

  before(async () => {
    cacheDir = await mkdtemp(join(tmpdir(), "registry-e2e-"));
    db = await createTestDatabase();
    orm = await openOrm(db.url);
    await migrate(orm);
    fx = await seedFixture(orm, ["registry-worker-1"], 100_000_000n);
    const em = orm.em.fork();
    const admin = em.create(Account, { name: "registry-admin", role: Role.ADMIN });
    adminKey = issueApiKey(em, admin).key;
    await em.persist(admin).flush();
    const head = await startHead();
    headAddress = head.address;
    children.push(head.child);
    // The single-machine path: the worker loads registered models from the cache the api writes.
    children.push(await startWorker(head.address, "registry-worker-1", ["--model-cache-dir", cacheDir]));
    const api = await startApi(
      apiEnv(db.url, uniquePrefix("registry-e2e"), head.address, {
        NEUROGRID_MODEL_CACHE_DIR: cacheDir,
      }),
    );
    children.push(api.child);
    url = api.url;
  });

  after(async () => {
    for (const child of children.reverse()) await child.stop();
    await orm?.close();
    await db?.drop();
    await rm(cacheDir, { recursive: true, force: true });
  });

  async function finished(id: string) {
    let task: TaskRead | undefined;
    for (const deadline = Date.now() + 60_000; Date.now() < deadline; ) {
      const read = await graphqlRequest<{ task: TaskRead }>(url, fx.clientKey, TASK, { id });
      task = read.data?.task;
      if (task && ["COMPLETED", "FAILED", "CANCELLED"].includes(task.status)) break;
      await new Promise((r) => setTimeout(r, 200));
    }
    return task;
  }

  test("registered by an admin, listed by the CLI, a task on it completes on a worker", async () => {
    const reg = await graphqlRequest<{ registerModel: { sha256: string; created: boolean } }>(
      url,
      adminKey,
      REGISTER,
      {
        input: {
          manifest: { ...manifest, sha256: sha256Hex(onnx) },
          artifactBase64: Buffer.from(onnx).toString("base64"),
        },
      },
    );
    assert.equal(reg.errors, undefined, JSON.stringify(reg.errors));
    assert.deepEqual(reg.data?.registerModel, { sha256: sha256Hex(onnx), created: true });

    const listed = await run(process.execPath, [CLI, "model", "list", "--json"], {
      env: { ...process.env, DATABASE_URL: db.url },
    });
    const models = (JSON.parse(listed.stdout.trim()) as { models: { name: string; sha256: string | null }[] })
      .models;
    assert.equal(models.find((m) => m.name === "registry-e2e-mlp")?.sha256, sha256Hex(onnx));

    const features = [Array.from({ length: 16 }, (_, i) => Math.sin(i))];
    const sub = await graphqlRequest<{ submitTask: { id: string } }>(url, fx.clientKey, SUBMIT, {
      input: { model: "registry-e2e-mlp", version: "0.1.0", input: { features } },
    });
    assert.equal(sub.errors, undefined, JSON.stringify(sub.errors));
    const id = sub.data?.submitTask.id ?? "";
    const task = await finished(id);
    assert.equal(task?.status, "COMPLETED", JSON.stringify(task));
    const probabilities = task?.result?.probabilities?.[0] ?? [];
    assert.equal(probabilities.length, mlpClassifierManifest.outputs[1]?.shape[1] ?? probabilities.length);
    assert.ok(Math.abs(probabilities.reduce((a, b) => a + b, 0) - 1) < 1e-4, "a softmax row");
  });

  test("models of one multiplex group share a replica that keeps them both loaded", async () => {
    const features = [Array.from({ length: 16 }, (_, i) => Math.cos(i))];
    const expected = mlpForwardReference(mlpClassifierWeights(), features).probabilities[0] ?? [];
    const names = ["mux-a", "mux-b"];
    for (const name of names) {
      const reg = await graphqlRequest(url, adminKey, REGISTER, {
        input: {
          manifest: {
            ...manifest,
            name,
            version: "1",
            sha256: sha256Hex(onnx),
            deployment: { multiplex: { group: "small", maxModels: 2 } },
          },
          artifactBase64: Buffer.from(onnx).toString("base64"),
        },
      });
      assert.equal(reg.errors, undefined, JSON.stringify(reg.errors));
    }
    const ids = await Promise.all(
      names.map(async (name) => {
        const sub = await graphqlRequest<{ submitTask: { id: string } }>(url, fx.clientKey, SUBMIT, {
          input: { model: name, input: { features } },
        });
        assert.equal(sub.errors, undefined, JSON.stringify(sub.errors));
        return sub.data?.submitTask.id ?? "";
      }),
    );
    for (const id of ids) {
      const task = await finished(id);
      assert.equal(task?.status, "COMPLETED", JSON.stringify(task));
      const got = task?.result?.probabilities?.[0] ?? [];
      assert.equal(got.length, expected.length);
      for (const [i, p] of got.entries()) {
        assert.ok(Math.abs(p - (expected[i] ?? Number.NaN)) < 1e-5, `probability ${i}`);
      }
    }
    const client = new ClusterClient({ headAddress });
    try {
      const actors = (await client.listActors("neurogrid-models")).filter((a) => a.state === "ALIVE");
      const mux = actors.filter((a) => a.name.startsWith("mux:small#"));
      assert.equal(mux.length, 1, "one shared replica");
      assert.equal(actors.filter((a) => a.name.startsWith("model:mux-")).length, 0, "no dedicated replicas");
      const replica = await client.getActor("neurogrid-models", mux[0]?.name ?? "");
      const loaded = await replica.call<{ models: { model: string }[] } | string[]>("loaded", {});
      assert.deepEqual([...JSON.stringify(loaded).matchAll(/mux-[ab]@1/g)].map((m) => m[0]).sort(), [
        "mux-a@1",
        "mux-b@1",
      ]);
    } finally {
      client.close();
    }
  });
});
