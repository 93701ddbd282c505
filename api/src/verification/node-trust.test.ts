/**
 * Known-answer checks of nodes on real parts: PostgreSQL, a head and two workers as child
 * processes (one lies on every `infer` answer: --fault-injection-rate 1), mlp-classifier deployed
 * with one replica on each, and this process as the api's task runner (its deployments, gated
 * by onboarding). Proves: the platform's known answers are what an honest actor returns; a node
 * that lies is kept out by onboarding (no task reaches it) and an honest one passes and serves,
 * remembered across an api restart; a canary catches a liar (a fault, with the evidence, and
 * a lower reputation) and passes an honest node; and the actor logs a known-answer task just as
 * it logs a task.
 */
import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import { after, before, describe, test } from "node:test";
import { setTimeout as delay } from "node:timers/promises";
import type { MikroORM } from "@mikro-orm/postgresql";
import { ClusterClient } from "@neurogrid/cluster";
import {
  compareResults,
  mlpClassifierManifest,
  mlpClassifierWeights,
  mlpForwardReference,
} from "@neurogrid/cluster/models";
import type { InferResult } from "@neurogrid/schema";
import type { Child } from "../cli/child-process.js";
import { migrate, openOrm } from "../db/orm.js";
import { modelActorSpec } from "../tasks/model-actor-spec.js";
import { modelByName } from "../tasks/model-cache.js";
import { ModelDeployments } from "../tasks/model-deployments.js";
import { ReadyDeployments } from "../tasks/ready-deployments.js";
import { startLyingCluster } from "../testing/lying-cluster.js";
import { seedProviderNodes } from "../testing/provider-nodes.js";
import { createTestDatabase, type TestDatabase } from "../testing/test-database.js";
import { faultsWithEvidence } from "./fault-evidence.js";
import { KnownAnswers, referenceFromCache } from "./known-answers.js";
import { NodeChecks } from "./node-checks.js";
import { NodeTrust, type NodeTrustSettings } from "./node-trust.js";
import { NEW_SCORE } from "./reputation.js";
import { ReputationStore } from "./reputation-store.js";

const LIAR = "trust-liar";
const HONEST = "trust-honest";
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
const SETTINGS: NodeTrustSettings = {
  onboarding: true,
  onboardingTasks: 3,
  canaryRatePerNodePerMinute: 0,
  callTimeoutMs: 30_000,
};

type Outputs = { logits: number[][]; probabilities: number[][] };

describe("known-answer checks of nodes (canaries, onboarding)", { timeout: 240_000 }, () => {
  let db: TestDatabase;
  let orm: MikroORM;
  let cluster: ClusterClient;
  let deployments: ModelDeployments;
  let modelId: string;
  const children: Child[] = [];
  const trusts: NodeTrust[] = [];
  /** Tasks this file ran on the honest node (each logged by its actor). */
  let honestTasks = 0;
  /** The call log lines of each worker's actors (JSON, with a trace id). */
  const calls = new Map<string, Record<string, unknown>[]>([
    [LIAR, []],
    [HONEST, []],
  ]);

  before(async () => {
    db = await createTestDatabase();
    orm = await openOrm(db.url);
    await migrate(orm);
    await seedProviderNodes(orm, [LIAR, HONEST], { label: "trust" });
    modelId = (await modelByName(orm.em.fork(), "mlp-classifier"))?.id ?? "";
    const started = await startLyingCluster(
      db.url,
      { liar: LIAR, honest: [HONEST] },
      {
        onLine: (node, line) => {
          if (!line.includes('"traceId"')) return;
          calls.get(node)?.push(JSON.parse(line) as Record<string, unknown>);
        },
      },
    );
    children.push(...started.children);
    cluster = new ClusterClient({ headAddress: started.headAddress, callTimeoutMs: 30_000 });
    deployments = new ModelDeployments(cluster, (manifest) => modelActorSpec(manifest));
  });

  after(async () => {
    for (const trust of trusts) await trust.close();
    await deployments?.close();
    cluster?.close();
    for (const child of children.reverse()) await child.stop();
    await orm?.close();
    await db?.drop();
  });

  /** A task runner's deployments as an api process has them, gated by a NodeTrust of its own. */
  function runnerParts(settings: Partial<NodeTrustSettings> = {}) {
    const trust = new NodeTrust(orm.em, { ...SETTINGS, ...settings }, { seed: 7 });
    trusts.push(trust);
    return { trust, ready: new ReadyDeployments(orm, deployments, trust.gate) };
  }

  /** One task's call as the attempt runner makes it: a lease, then `infer` on it. */
  async function task(
    ready: ReadyDeployments,
    features: number[][],
  ): Promise<{ nodeId: string; out: Outputs }> {
    const deployment = await ready.forModel(modelId);
    const lease = await deployment.lease({ timeoutMs: 30_000 });
    const answer = await deployment.call<InferResult>(
      "infer",
      { inputs: { features } },
      { lease, timeoutMs: 30_000, traceId: randomUUID() },
    );
    if (lease.replica.nodeId === HONEST) honestTasks += 1;
    return { nodeId: lease.replica.nodeId, out: answer.outputs as Outputs };
  }

  const features = (row: number) => [Array.from({ length: 16 }, (_, i) => Math.cos(row * 16 + i))];

  test("the known answers are what an honest actor returns, under the model's rule", async () => {
    const answers = await new KnownAnswers(referenceFromCache(undefined), 7).of(mlpClassifierManifest);
    assert.equal(answers.length, 8);
    const raw = await deployments.handle(mlpClassifierManifest);
    for (const known of answers) {
      const input = known.input as { features: number[][] };
      assert.equal(input.features.length, 1, "one row, as a client's task");
      assert.equal(input.features[0]?.length, 16);
      // The platform's answer agrees with an independent forward pass of the same weights ...
      const independent = mlpForwardReference(mlpClassifierWeights(), input.features);
      assert.deepEqual(compareResults(mlpClassifierManifest, independent, known.expected), { agree: true });
      // ... and with what the honest node's replica answers.
      const lease = await raw.leaseWhere((r) => r.nodeId === HONEST);
      assert.ok(lease, "the honest replica is live");
      const honest = await raw.call<InferResult>("infer", { inputs: known.input }, { lease });
      assert.deepEqual(compareResults(mlpClassifierManifest, known.expected, honest.outputs), {
        agree: true,
      });
    }
  });

  test("onboarding keeps a lying node out (no task reaches it) and admits an honest one", async () => {
    const { trust, ready } = runnerParts();
    for (let row = 0; row < 12; row++) {
      const { nodeId, out } = await task(ready, features(row));
      assert.equal(nodeId, HONEST, "a task ran on the node that failed onboarding");
      const expected = mlpForwardReference(mlpClassifierWeights(), features(row));
      assert.deepEqual(compareResults(mlpClassifierManifest, expected, out), { agree: true });
    }
    await trust.onboarding.idle();
    const checks = new NodeChecks(orm.em);
    assert.deepEqual(
      (await checks.onboardingsOf(LIAR)).map((o) => [o.model, o.status]),
      [["mlp-classifier@1", "FAILED"]],
    );
    assert.deepEqual(
      (await checks.onboardingsOf(HONEST)).map((o) => [o.model, o.status]),
      [["mlp-classifier@1", "PASSED"]],
    );
    const [fault, ...more] = await faultsWithEvidence(orm.em, LIAR);
    assert.equal(more.length, 0);
    assert.equal(fault?.kind, "onboarding");
    assert.match(fault?.detail ?? "", /^a wrong answer to a known-answer task/);
    assert.equal(fault?.knownAnswer?.model, "mlp-classifier@1");
    assert.notDeepEqual(fault?.knownAnswer?.got, fault?.knownAnswer?.expected);
    assert.deepEqual(await faultsWithEvidence(orm.em, HONEST), []);

    // A restarted api reads the record: the honest node serves at once, nobody is onboarded again.
    const rows = async () =>
      (await orm.em.fork().execute("select count(*)::int as n from node_checks where kind = 'onboarding'"))[0]
        ?.n as number;
    const before = await rows();
    const restarted = runnerParts();
    for (let row = 0; row < 6; row++)
      assert.equal((await task(restarted.ready, features(row))).nodeId, HONEST);
    await restarted.trust.onboarding.idle();
    assert.equal(await rows(), before);
  });

  test("a canary catches a lying node (a fault, its reputation falls) and passes an honest one", async () => {
    // Onboarding off, so the liar serves and is a canary's target.
    const { trust, ready } = runnerParts({ onboarding: false });
    const served = new Set<string>();
    while (served.size < 2) served.add((await task(ready, features(served.size))).nodeId);
    const reputations = new ReputationStore(orm.em);
    const liarBefore = await reputations.ofNode(LIAR);
    const outcomes = await trust.canaries.round(1);
    assert.deepEqual(outcomes.map((o) => [o.nodeId, o.outcome]).sort(), [
      [HONEST, "passed"],
      [LIAR, "failed"],
    ]);
    const canaryFaults = (await faultsWithEvidence(orm.em, LIAR)).filter((f) => f.kind === "canary");
    assert.equal(canaryFaults.length, 1);
    assert.ok(canaryFaults[0]?.knownAnswer, "the fault carries the known answer and the node's");
    assert.deepEqual(await faultsWithEvidence(orm.em, HONEST), []);
    const liar = await reputations.ofNode(LIAR);
    assert.equal(liar.faults, liarBefore.faults + 1);
    assert.ok(liar.score < liarBefore.score && liar.score < NEW_SCORE, JSON.stringify(liar));
    const honest = await reputations.ofNode(HONEST);
    assert.deepEqual([honest.faults, honest.agreed], [0, 2], "its onboarding and its canary");
    assert.ok(honest.score > NEW_SCORE);
  });

  test("the actor logs a known-answer task as it logs a task: `infer`, a UUID trace id", async () => {
    // Every call this file sent to the honest replica with a trace id: its tasks, the three of
    // its onboarding and its canary; nothing tells them apart.
    const sent = honestTasks + 3 + 1;
    const logged = calls.get(HONEST) ?? [];
    while (logged.length < sent) await delay(50);
    const shapes = new Set(logged.map((l) => `${l.method} ${Object.keys(l).sort().join(",")}`));
    assert.equal(shapes.size, 1, [...shapes].join("\n"));
    assert.ok(logged.every((l) => l.method === "infer" && UUID.test(String(l.traceId))));
  });
});
