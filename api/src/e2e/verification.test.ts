/**
 * Result verification end to end, on real parts only: PostgreSQL, Redis, a head, three workers
 * (one per provider, each with room for one mlp-classifier replica) and an api as child processes
 * on loopback, a GraphQL client over HTTP and graphql-ws. One worker lies on every answer
 * (--fault-injection-rate 1, a test-only option of the model actor); the api checks every task
 * (NEUROGRID_VERIFICATION_SAMPLE_RATE=1) and onboards no node (NEUROGRID_ONBOARDING=false: the
 * liar would be kept out). Tasks are submitted until the client has seen a task SAMPLED then
 * VERIFIED, and a task the liar ran go DISPUTED then RESOLVED with the referee's (honest)
 * result; every fault found is the liar's. The money follows the verdict: the liar's share of
 * that task is forfeited to the client (who paid nothing for it in the end) and a penalty is
 * taken from its provider's pending earnings, each movement balanced; the verified task's share
 * is released to its provider's earnings.
 *
 * The first api runs with no quarantine floor. A liar also lies when it checks an honest node's
 * task, and each such check is a fault of its own: with the default floor, three of those before
 * any task of its own was checked (one run in eight) quarantined it before it could be caught.
 * Then an api with the default floor (0.3) takes over: once a fault leaves the liar below that
 * floor (three faults take a new node there) it is quarantined, in the database and at the head, its replica waits with the quarantine as its
 * pending reason, and tasks run on honest nodes only.
 */
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import type { MikroORM } from "@mikro-orm/postgresql";
import {
  compareResults,
  mlpClassifierManifest,
  mlpClassifierWeights,
  mlpForwardReference,
} from "@neurogrid/cluster/models";
import type { Child } from "../cli/child-process.js";
import { LedgerTxKind, Node } from "../db/entities/index.js";
import { migrate, openOrm } from "../db/orm.js";
import { externalAccount, providerPendingAccount } from "../ledger/accounts.js";
import { checkLedger } from "../ledger/check.js";
import { post } from "../ledger/ledger.js";
import { NodeFaults } from "../tasks/node-faults.js";
import { until } from "../testing/dispatcher-fixture.js";
import { collectSubscription, graphqlRequest } from "../testing/graphql-clients.js";
import { apiEnv, runCli, startApi } from "../testing/local-cluster.js";
import { startLyingCluster } from "../testing/lying-cluster.js";
import { seedProviderNodes } from "../testing/provider-nodes.js";
import { createTestDatabase, type TestDatabase, uniquePrefix } from "../testing/test-database.js";

const LIAR = "verify-liar";
const HONEST = ["verify-honest-1", "verify-honest-2"];
/** Tasks submitted at most before both outcomes are seen (each is seen per task with p >= 1/3). */
const MAX_TASKS = 30;
/** What the liar's provider has pending before the first task (more than any penalty). */
const PENDING_BEFORE = 1_000_000_000n;
/** Room for one mlp-classifier replica (256 MB) per worker. */
const SUBMIT = `mutation($input: SubmitTaskInput!) { submitTask(input: $input) { id } }`;
const PROGRESS = `subscription($id: ID!) { taskProgress(taskId: $id) { status verification } }`;
const TASK = `query($id: ID!) {
  task(id: $id) { id status nodeId result cost { total platformFee providerEarning } verification { status checkedBy referee verdict } }
}`;

type Outputs = { logits: number[][]; probabilities: number[][] };
type TaskView = {
  id: string;
  status: string;
  cost: { total: string; platformFee: string; providerEarning: string };
  nodeId: string;
  result: Outputs;
  verification: { status: string; checkedBy: string | null; referee: string | null; verdict: string | null };
};

describe("result verification, end to end", () => {
  let db: TestDatabase;
  let orm: MikroORM;
  let url: string;
  let api: Child | undefined;
  let clientKey: string;
  let headAddress: string;
  let liarProvider: string;
  const children: Child[] = [];

  before(async () => {
    db = await createTestDatabase();
    orm = await openOrm(db.url);
    await migrate(orm);
    const seeded = await seedProviderNodes(orm, [LIAR, ...HONEST], { label: "verify" });
    clientKey = seeded.clientKey;
    liarProvider = seeded.providers.get(LIAR)?.id ?? "";
    // The liar's provider has earlier earnings pending (credited as a capture credits them), so
    // its penalty is the whole rule's, not capped to nothing.
    await orm.em.fork().transactional(async (tx) =>
      post(tx, {
        kind: LedgerTxKind.DEPOSIT,
        memo: "earlier pending earnings",
        legs: [
          { accountId: await externalAccount(tx), amount: -PENDING_BEFORE },
          { accountId: await providerPendingAccount(tx, liarProvider), amount: PENDING_BEFORE },
        ],
      }),
    );
    const cluster = await startLyingCluster(db.url, { liar: LIAR, honest: HONEST });
    children.push(...cluster.children);
    headAddress = cluster.headAddress;
    await startVerifyingApi({ NEUROGRID_QUARANTINE_FLOOR: "0" });
  });

  after(async () => {
    await api?.stop();
    for (const child of children.reverse()) await child.stop();
    await orm?.close();
    await db?.drop();
  });

  /** The api every task goes through (the one before it, if any, stopped first). */
  async function startVerifyingApi(env: NodeJS.ProcessEnv = {}): Promise<void> {
    await api?.stop();
    const started = await startApi(
      // Onboarding off: the liar would fail it and never serve a task to be caught at.
      apiEnv(db.url, uniquePrefix("verify-e2e"), headAddress, {
        NEUROGRID_VERIFICATION_SAMPLE_RATE: "1",
        NEUROGRID_ONBOARDING: "false",
        // The faults watched are spot checks': no canary may add one of its own at a random time.
        NEUROGRID_CANARY_RATE_PER_NODE_PER_MINUTE: "0",
        ...env,
      }),
    );
    api = started.child;
    url = started.url;
  }

  /** A task's ledger movements in order, each leg's account kind and amount; each balances. */
  async function movementsOf(taskId: string): Promise<{ kind: string; legs: [string, bigint][] }[]> {
    const rows = await orm.em
      .fork()
      .execute<{ tx: string; kind: string; account_kind: string; amount: string }[]>(
        `select t.id as tx, t.kind, a.kind as account_kind, e.amount from ledger_transactions t
         join ledger_entries e on e.transaction_id = t.id join ledger_accounts a on a.id = e.account_id
        where t.task_id = ? order by t.created_at, t.kind, a.kind`,
        [taskId],
      );
    const byTx = new Map<string, { kind: string; legs: [string, bigint][] }>();
    for (const r of rows) {
      const m = byTx.get(r.tx) ?? { kind: r.kind, legs: [] };
      m.legs.push([r.account_kind, BigInt(r.amount)]);
      byTx.set(r.tx, m);
    }
    for (const m of byTx.values()) {
      assert.equal(
        m.legs.reduce((s, [, a]) => s + a, 0n),
        0n,
        `${m.kind} balances`,
      );
    }
    return [...byTx.values()];
  }

  /** What a task cost its client in the end: its client accounts' legs, all movements. */
  async function clientPaidFor(taskId: string): Promise<bigint> {
    const legs = (await movementsOf(taskId)).flatMap((m) => m.legs);
    return -legs.filter(([kind]) => kind.startsWith("client_")).reduce((s, [, a]) => s + a, 0n);
  }

  /** Submits one task and follows it to the end of its progress; the verification moves seen. */
  async function oneTask(row: number): Promise<{ task: TaskView; moves: string[] }> {
    const features = [Array.from({ length: 16 }, (_, i) => Math.sin(row * 16 + i))];
    const submitted = await graphqlRequest<{ submitTask: { id: string } }>(url, clientKey, SUBMIT, {
      input: { model: "mlp-classifier", input: { features } },
    });
    assert.equal(submitted.errors, undefined, JSON.stringify(submitted.errors));
    const id = submitted.data?.submitTask.id ?? "";
    const { events, errors } = await collectSubscription<{
      taskProgress: { status: string; verification: string | null };
    }>(url, { authorization: `Bearer ${clientKey}` }, PROGRESS, { id });
    assert.deepEqual(errors, []);
    const res = await graphqlRequest<{ task: TaskView }>(url, clientKey, TASK, { id });
    const task = res.data?.task as TaskView;
    const honest = mlpForwardReference(mlpClassifierWeights(), features);
    const moves = events.flatMap((e) => (e.taskProgress.verification ? [e.taskProgress.verification] : []));
    // Whatever happened, the client ends with the honest answer.
    assert.deepEqual(
      compareResults(mlpClassifierManifest, honest, task.result),
      { agree: true },
      JSON.stringify(task),
    );
    return { task, moves };
  }

  test("a client sees SAMPLED then VERIFIED; a lying node's task goes DISPUTED -> RESOLVED with the referee's result", async () => {
    let verified: TaskView | undefined;
    let caught: TaskView | undefined;
    for (let row = 0; row < MAX_TASKS && !(verified && caught); row++) {
      const { task, moves } = await oneTask(row);
      assert.equal(task.status, "COMPLETED");
      if (task.verification.status === "VERIFIED") {
        assert.deepEqual(moves, ["SAMPLED", "VERIFIED"]);
        assert.notEqual(task.verification.checkedBy, task.nodeId);
        verified = task;
      } else if (task.verification.status !== "UNCHECKED") {
        // (UNCHECKED: a check that could not run was abandoned, and its extra run refunded.)
        assert.deepEqual(moves, ["SAMPLED", "DISPUTED", "RESOLVED"], JSON.stringify(task));
        assert.match(task.verification.verdict ?? "", new RegExp(`^${LIAR} disagrees with `));
        if (task.nodeId === LIAR) caught = task;
      }
    }
    assert.ok(verified, `no task verified in ${MAX_TASKS}`);
    assert.ok(caught, `no task of the liar caught in ${MAX_TASKS}`);
    assert.ok(HONEST.includes(caught.verification.referee ?? ""), "a third provider refereed");
    const faults = new NodeFaults(orm);
    assert.ok((await faults.ofNode(LIAR)).length >= 1);
    for (const node of HONEST) assert.deepEqual(await faults.ofNode(node), [], `${node} was never at fault`);
    // The caught task's money: forfeited to the client, the penalty taken, each balanced, once.
    const ledger = await movementsOf(caught.id);
    const share = BigInt(caught.cost.providerEarning);
    assert.deepEqual(
      ledger.filter((m) => m.kind === "forfeit" || m.kind === "penalty"),
      [
        {
          kind: "forfeit",
          legs: [
            ["client_available", BigInt(caught.cost.total)],
            ["platform_fees", -BigInt(caught.cost.platformFee)],
            ["provider_pending", -share],
          ],
        },
        {
          kind: "penalty",
          legs: [
            ["platform_fees", share],
            ["provider_pending", -share],
          ],
        },
      ],
    );
    assert.equal(await clientPaidFor(caught.id), 0n, "the client got back all it paid for the wrong result");
    assert.deepEqual(
      (await movementsOf(verified.id)).map((m) => m.kind),
      ["hold", "capture", "release"],
      "the verified task's share released",
    );
    assert.equal((await checkLedger(orm.em.fork())).ok, true);
    // `neurogrid status` shows the verdicts: the liar's faults, and none of an honest node's.
    const status = await runCli(["status", "--head", headAddress, "--database-url", db.url, "--json"]);
    assert.equal(status.code, 0, status.stderr);
    const { reputation } = JSON.parse(status.stdout) as {
      reputation: Record<string, { score: number; agreed: number; faults: number }>;
    };
    assert.ok(
      (reputation[LIAR]?.faults ?? 0) >= 1 && (reputation[LIAR]?.score ?? 1) < 0.5,
      JSON.stringify(reputation),
    );
    for (const node of HONEST) assert.equal(reputation[node]?.faults, 0, JSON.stringify(reputation));
  });

  test("with the default floor the liar is quarantined once a fault leaves it below: in the database, at the head, and its replica waits", async () => {
    await startVerifyingApi();
    const faults = new NodeFaults(orm);
    const quarantinedAt = async () =>
      (await orm.em.fork().findOneOrFail(Node, LIAR)).quarantinedAt ?? undefined;
    let row = MAX_TASKS;
    while (!(await quarantinedAt()) && row < 3 * MAX_TASKS) {
      await oneTask(row++);
    }
    const since = await until("the liar to be quarantined", quarantinedAt);
    assert.ok(since);
    const faultsNow = (await faults.ofNode(LIAR)).length;
    assert.ok(faultsNow >= 3, `quarantined with ${faultsNow} faults: 3 take a new node below 0.3`);
    for (const node of HONEST)
      assert.equal((await orm.em.fork().findOneOrFail(Node, node)).quarantinedAt ?? null, null, node);

    const status = await runCli(["status", "--head", headAddress, "--json"]);
    assert.equal(status.code, 0, status.stderr);
    const cluster = JSON.parse(status.stdout) as {
      nodes: { nodeId: string; quarantine?: { reason: string } }[];
      actors: { state: string; pendingReason?: string }[];
    };
    const reason = cluster.nodes.find((n) => n.nodeId === LIAR)?.quarantine?.reason ?? "";
    const [, score, wrong] = /^reputation (0\.\d+) < floor 0\.3 \((\d+) wrong results/.exec(reason) ?? [];
    assert.ok(Number(score) < 0.3 && Number(wrong) >= 3, reason);
    for (const node of HONEST)
      assert.equal(cluster.nodes.find((n) => n.nodeId === node)?.quarantine, undefined);
    assert.ok(
      cluster.actors.some(
        (a) => a.state !== "ALIVE" && (a.pendingReason ?? "").includes(`${LIAR}: quarantined: ${reason}`),
      ),
      JSON.stringify(cluster.actors),
    );
    const text = await runCli(["status", "--head", headAddress]);
    assert.ok(text.stdout.includes(`quarantined: ${reason}`), text.stdout);

    // Its replica gone, the next tasks run on honest nodes.
    for (let i = 0; i < 3; i++) assert.notEqual((await oneTask(row++)).task.nodeId, LIAR);
  });
});
