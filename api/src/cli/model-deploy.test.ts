/**
 * `neurogrid model deploy` run as an operator runs it (a child process) against a real head and
 * worker and a PostgreSQL test database: it deploys a model version with the bounds it is given,
 * waits until the minimum of replicas is alive (showing its steps on stderr), and a second run
 * rescales the same deployment; `neurogrid status --json` then lists it. A model that does not
 * exist fails with a clear message and exit code 1. Every process is stopped by its PID.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { ClusterClient } from "@neurogrid/cluster";
import type { DeploymentInfo } from "@neurogrid/schema";
import { migrate, openOrm } from "../db/orm.js";
import { registerBuiltinModels } from "../models/register-builtin.js";
import { runCli, startHead, startWorker } from "../testing/local-cluster.js";
import { createTestDatabase, type TestDatabase } from "../testing/test-database.js";
import type { Child } from "./child-process.js";

describe("`neurogrid model deploy`", { timeout: 180_000 }, () => {
  let db: TestDatabase;
  let head: { child: Child; address: string };
  let worker: Child;
  const pids = new Set<number>();

  const cli = runCli;

  before(async () => {
    db = await createTestDatabase();
    const orm = await openOrm(db.url);
    await migrate(orm);
    await registerBuiltinModels(orm.em.fork());
    await orm.close();
    head = await startHead();
    worker = await startWorker(head.address, "deploy-w1", ["--cpus", "4", "--memory-mb", "4096"]);
  });

  after(async () => {
    const client = new ClusterClient({ headAddress: head.address });
    for (const a of await client.listActors().catch(() => [])) if (a.pid > 0) pids.add(a.pid);
    client.close();
    await worker?.stop();
    await head?.child.stop();
    for (const pid of pids) {
      try {
        process.kill(pid, "SIGKILL");
      } catch {}
    }
    await db?.drop();
  });

  it("deploys a model with two replicas, waits for them, then rescales it", async () => {
    const first = await cli([
      "model",
      "deploy",
      "mlp-classifier@1",
      "--head",
      head.address,
      "--database-url",
      db.url,
      "--min",
      "2",
      "--max",
      "3",
    ]);
    assert.equal(first.code, 0, first.stderr);
    assert.match(first.stdout, /^model:mlp-classifier@1: 2 of 2 replicas alive \(min 2, max 3,/);
    const steps = first.stderr.split("\n").filter((l) => l.startsWith("model deploy"));
    assert.deepEqual(
      steps.map((l) => l.replace(/ after .*| in .*/, "")),
      [
        "model deploy [1/3] finding mlp-classifier@1",
        "model deploy [2/3] applying model:mlp-classifier@1 (2..3 replicas)",
        "model deploy [3/3] waiting for 2 replicas to be alive",
        "model deploy done",
      ],
    );

    const again = await cli([
      "model",
      "deploy",
      "mlp-classifier",
      "--head",
      head.address,
      "--database-url",
      db.url,
      "--min",
      "1",
      "--max",
      "1",
      "--json",
    ]);
    assert.equal(again.code, 0, again.stderr);
    assert.equal(again.stderr, "", "no progress with --json");
    const info = JSON.parse(again.stdout) as DeploymentInfo;
    assert.deepEqual([info.spec.minReplicas, info.spec.maxReplicas, info.targetReplicas], [1, 1, 1]);
    assert.deepEqual(
      info.replicas.map((r) => r.name),
      ["model:mlp-classifier@1#0"],
    );

    const status = await cli(["status", "--head", head.address, "--json"]);
    const listed = (JSON.parse(status.stdout) as { deployments: DeploymentInfo[] }).deployments;
    assert.deepEqual(
      listed.map((d) => [d.spec.name, d.targetReplicas]),
      [["model:mlp-classifier@1", 1]],
    );
  });

  it("fails with a clear message for a model that does not exist", async () => {
    const r = await cli([
      "model",
      "deploy",
      "no-such-model",
      "--head",
      head.address,
      "--database-url",
      db.url,
    ]);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /no model no-such-model/);
  });
});
