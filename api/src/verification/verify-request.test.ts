/**
 * A client asks for a check of its own task (`verify: true` on submitTask) through the public
 * API (real PostgreSQL, Redis, BullMQ, the dispatcher's attempt runner; graphql-ws), with random
 * spot checks off (sample rate 0): three providers' nodes serve mlp-classifier (a fake deployment
 * whose answer the test writes per node). The task is checked anyway and its client pays the
 * extra run; a lying node's task is RESOLVED with the referee's result, its cost given back to
 * the client, the share forfeited and a penalty taken, every movement balanced.
 */
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { checkLedger } from "../ledger/check.js";
import { FEATURES, MLP_OUTPUTS } from "../testing/dispatcher-fixture.js";
import { collectSubscription, graphqlRequest } from "../testing/graphql-clients.js";
import type { InProcessApi } from "../testing/in-process-api.js";
import { type ThreeProviderApi, threeProviderApi } from "../testing/three-provider-api.js";

const SUBMIT = `mutation($input: JSONObject!, $verify: Boolean) {
  submitTask(input: { model: "mlp-classifier", input: $input, verify: $verify }) { id maxPrice verificationRequested }
}`;
const PROGRESS = `subscription($id: ID!) { taskProgress(taskId: $id) { status verification } }`;
const TASK = `query($id: ID!) {
  task(id: $id) { status nodeId result verificationRequested cost { total platformFee providerEarning } verification { status referee } }
}`;
const BALANCE = `{ me { balance { available held earnings pending } } }`;
/** What a lying node answers: the classes reversed. */
const LIE = { logits: [[1, 0, 0, 0]], probabilities: [[0.4, 0.3, 0.2, 0.1]] };

type Balance = { available: bigint; held: bigint; earnings: bigint; pending: bigint };
type TaskView = {
  status: string;
  nodeId: string;
  result: unknown;
  verificationRequested: boolean;
  cost: { total: string; platformFee: string; providerEarning: string };
  verification: { status: string; referee: string | null };
};

const liars = new Set<string>();
let api: ThreeProviderApi;
let t: InProcessApi;
let clientKey: string;
let providerKeys: Map<string, string>;

before(async () => {
  api = await threeProviderApi("verify-req", {
    sampleRate: 0,
    random: () => 0, // would draw every task, were random checks on: they are not
    outputsOn: async (node) => {
      return liars.has(node) ? LIE : MLP_OUTPUTS;
    },
  });
  ({ t, clientKey, providerKeys } = api);
});
after(async () => {
  await api?.stop();
});

async function balance(key: string | undefined): Promise<Balance> {
  const res = await graphqlRequest<{ me: { balance: Record<keyof Balance, string> } }>(t.url, key, BALANCE);
  assert.equal(res.errors, undefined, JSON.stringify(res.errors));
  const b = res.data?.me.balance as Record<keyof Balance, string>;
  return {
    available: BigInt(b.available),
    held: BigInt(b.held),
    earnings: BigInt(b.earnings),
    pending: BigInt(b.pending),
  };
}

/** Submits a task and follows its taskProgress to the end: the task, and its verification moves. */
async function submitAndFollow(
  verify: boolean,
): Promise<{ id: string; maxPrice: bigint; moves: string[]; task: TaskView }> {
  const res = await graphqlRequest<{
    submitTask: { id: string; maxPrice: string; verificationRequested: boolean };
  }>(t.url, clientKey, SUBMIT, { input: FEATURES, verify });
  assert.equal(res.errors, undefined, JSON.stringify(res.errors));
  const submitted = res.data?.submitTask;
  assert.equal(submitted?.verificationRequested, verify);
  const id = submitted?.id ?? "";
  const { events, errors } = await collectSubscription<{
    taskProgress: { status: string; verification: string | null };
  }>(t.url, { authorization: `Bearer ${clientKey}` }, PROGRESS, { id }, 20_000);
  assert.deepEqual(errors, []);
  const moves = events.flatMap((e) => (e.taskProgress.verification ? [e.taskProgress.verification] : []));
  const read = await graphqlRequest<{ task: TaskView }>(t.url, clientKey, TASK, { id });
  assert.equal(read.errors, undefined, JSON.stringify(read.errors));
  return { id, maxPrice: BigInt(submitted?.maxPrice ?? "0"), moves, task: read.data?.task as TaskView };
}

/** A task's movements after its hold and capture, by kind: each leg's account kind and amount. */
async function movements(taskId: string): Promise<Map<string, [string, bigint][]>> {
  const rows = await t.orm.em
    .fork()
    .execute<{ tx: string; kind: string; account_kind: string; amount: string }[]>(
      `select t.id as tx, t.kind, a.kind as account_kind, e.amount from ledger_transactions t
       join ledger_entries e on e.transaction_id = t.id join ledger_accounts a on a.id = e.account_id
      where t.task_id = ? and t.kind not in ('hold', 'capture') order by t.kind, a.kind`,
      [taskId],
    );
  const byKind = new Map<string, [string, bigint][]>();
  for (const r of rows)
    byKind.set(r.kind, [...(byKind.get(r.kind) ?? []), [r.account_kind, BigInt(r.amount)]]);
  for (const [kind, legs] of byKind) {
    assert.equal(
      legs.reduce((s, [, a]) => s + a, 0n),
      0n,
      `${kind} balances`,
    );
  }
  return byKind;
}

test("with spot checks off, only a task whose client asked is checked, and it pays for the check", async () => {
  const provider0 = await balance(providerKeys.get("node-a"));
  const client0 = await balance(clientKey);
  const plain = await submitAndFollow(false);
  assert.deepEqual(plain.moves, [], "not drawn: sample rate 0");
  assert.equal(plain.task.verification.status, "UNCHECKED");
  const client1 = await balance(clientKey);
  assert.equal(client0.available - client1.available, BigInt(plain.task.cost.total), "charged once");

  const checked = await submitAndFollow(true);
  assert.equal(checked.maxPrice, 2n * plain.maxPrice, "the escrow covers the check's run");
  assert.deepEqual(checked.moves, ["SAMPLED", "VERIFIED"]);
  assert.equal(checked.task.verificationRequested, true);
  const client2 = await balance(clientKey);
  assert.equal(
    client1.available - client2.available,
    2n * BigInt(checked.task.cost.total),
    "the task and its check",
  );
  assert.equal(client2.held, 0n);
  // The verified task's share is payable at once; the unchecked one's waits for its window.
  const provider1 = await balance(providerKeys.get("node-a"));
  assert.equal(provider1.earnings - provider0.earnings, BigInt(checked.task.cost.providerEarning));
  assert.equal(provider1.pending - provider0.pending, BigInt(plain.task.cost.providerEarning));
  assert.deepEqual([...(await movements(checked.id)).keys()], ["release"]);
  assert.equal((await checkLedger(t.orm.em.fork())).ok, true);
});

test("a lying node's verify task: RESOLVED with the referee's result, its cost back to the client, forfeit and penalty on the ledger", async () => {
  liars.add("node-a");
  const client0 = await balance(clientKey);
  const provider0 = await balance(providerKeys.get("node-a"));
  const { id, moves, task } = await submitAndFollow(true);
  liars.clear();
  assert.deepEqual(moves, ["SAMPLED", "DISPUTED", "RESOLVED"]);
  assert.equal(task.nodeId, "node-a");
  assert.deepEqual(task.result, MLP_OUTPUTS, "the referee's result");
  assert.equal(task.verification.referee, "node-c");
  const cost = BigInt(task.cost.total);
  const share = BigInt(task.cost.providerEarning);
  const ledger = await movements(id);
  assert.deepEqual([...ledger.keys()], ["forfeit", "penalty"]);
  assert.deepEqual(ledger.get("forfeit"), [
    ["client_available", cost],
    ["platform_fees", -BigInt(task.cost.platformFee)],
    ["provider_pending", -share],
  ]);
  // The penalty: the share again, capped at what node-a's provider had pending (the first
  // test's unchecked task's share).
  const penalty = ledger.get("penalty") ?? [];
  const taken = -(penalty.find(([kind]) => kind === "provider_pending")?.[1] ?? 0n);
  assert.equal(taken, share < provider0.pending ? share : provider0.pending);
  assert.ok(taken > 0n);
  const client1 = await balance(clientKey);
  assert.equal(
    client0.available - client1.available,
    cost,
    "the client paid only the check: the task's cost came back",
  );
  const provider1 = await balance(providerKeys.get("node-a"));
  assert.equal(provider0.pending - provider1.pending, taken, "its share forfeited, and the penalty");
  assert.equal(provider1.earnings, provider0.earnings, "nothing earned");
  const [row] = await t.orm.em
    .fork()
    .execute<{ n: string }[]>("select count(*) as n from ledger_transactions where task_id = ?", [id]);
  assert.equal(Number(row?.n), 4, "hold, capture, forfeit, penalty: once each");
  assert.equal((await checkLedger(t.orm.em.fork())).ok, true);
});

test("submitTasks takes verify per task: its escrow doubled, the request shown on the task", async () => {
  const res = await graphqlRequest<{
    submitTasks: { id: string; maxPrice: string; verificationRequested: boolean }[];
  }>(
    t.url,
    clientKey,
    `mutation($input: JSONObject!) {
      submitTasks(inputs: [{ model: "mlp-classifier", input: $input, verify: true }, { model: "mlp-classifier", input: $input }]) {
        id maxPrice verificationRequested
      }
    }`,
    { input: FEATURES },
  );
  assert.equal(res.errors, undefined, JSON.stringify(res.errors));
  const [checked, plain] = res.data?.submitTasks ?? [];
  assert.deepEqual([checked?.verificationRequested, plain?.verificationRequested], [true, false]);
  assert.equal(BigInt(checked?.maxPrice ?? 0), 2n * BigInt(plain?.maxPrice ?? 0));
  for (const task of [checked, plain]) {
    await collectSubscription(
      t.url,
      { authorization: `Bearer ${clientKey}` },
      PROGRESS,
      { id: task?.id },
      20_000,
    );
  }
  assert.equal((await checkLedger(t.orm.em.fork())).ok, true);
});
