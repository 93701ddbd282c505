/**
 * Spot checks through the public API (real PostgreSQL, Redis, BullMQ, the dispatcher's attempt
 * runner; graphql-ws to the client): three providers, each with a node serving mlp-classifier
 * (a fake deployment whose answer the test writes per node). A drawn task is re-run on another
 * provider's node: agreement shows SAMPLED then VERIFIED to the client; a lying node's task
 * goes DISPUTED -> RESOLVED with the referee's result, the fault recorded against the liar; a
 * lying checker is the one at fault and the task keeps its (right) result.
 */
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { NodeFaults } from "../tasks/node-faults.js";
import { FEATURES, MLP_OUTPUTS } from "../testing/dispatcher-fixture.js";
import { collectSubscription, graphqlRequest } from "../testing/graphql-clients.js";
import type { InProcessApi } from "../testing/in-process-api.js";
import { type ThreeProviderApi, threeProviderApi } from "../testing/three-provider-api.js";
import { ReputationStore } from "./reputation-store.js";

const PROGRESS = `subscription($id: ID!) { taskProgress(taskId: $id) { status verification } }`;
const TASK = `query($id: ID!) { task(id: $id) { status nodeId result verification { status checkedBy referee verdict } } }`;
/** What a lying node answers: the classes reversed. */
const LIE = { logits: [[1, 0, 0, 0]], probabilities: [[0.4, 0.3, 0.2, 0.1]] };
/** An honest answer from other hardware: within mlp-classifier's tolerance. */
const DRIFTED = { logits: [[0, 0, 1e-6, 1]], probabilities: [[0.1, 0.2, 0.3000001, 0.4]] };

type TaskView = {
  status: string;
  nodeId: string;
  result: unknown;
  verification: { status: string; checkedBy: string | null; referee: string | null; verdict: string | null };
};

/** Which nodes lie, and a gate the check run on node-b waits at (opened by the test). */
const liars = new Set<string>();
let checkGate: Promise<void> = Promise.resolve();
let api: ThreeProviderApi;
let t: InProcessApi;
let clientKey: string;
let providerKeys: Map<string, string>;

before(async () => {
  api = await threeProviderApi("spot", {
    sampleRate: 0.05,
    random: () => 0.01, // every task is drawn
    outputsOn: async (node) => {
      if (node === "node-b") await checkGate;
      return liars.has(node) ? LIE : node === "node-b" ? DRIFTED : MLP_OUTPUTS;
    },
  });
  ({ t, clientKey, providerKeys } = api);
});
after(async () => {
  await api?.stop();
});

async function view(id: string): Promise<TaskView> {
  const res = await graphqlRequest<{ task: TaskView }>(t.url, clientKey, TASK, { id });
  assert.equal(res.errors, undefined);
  return res.data?.task as TaskView;
}

/**
 * Submits a task and follows it to the end of its taskProgress stream, the check run held until
 * the client has seen SAMPLED. Returns the verification moves the client saw, in order.
 */
async function submitAndFollow(): Promise<{ id: string; moves: string[] }> {
  let open: () => void = () => {};
  checkGate = new Promise((resolve) => {
    open = resolve;
  });
  const res = await graphqlRequest<{ submitTask: { id: string } }>(
    t.url,
    clientKey,
    `mutation($input: JSONObject!) { submitTask(input: { model: "mlp-classifier", input: $input }) { id } }`,
    { input: FEATURES },
  );
  assert.equal(res.errors, undefined);
  const id = res.data?.submitTask.id ?? "";
  const { events, errors } = await collectSubscription<{
    taskProgress: { status: string; verification: string | null };
  }>(t.url, { authorization: `Bearer ${clientKey}` }, PROGRESS, { id }, 20_000, (e) => {
    if (e.taskProgress.verification === "SAMPLED") open();
  });
  assert.deepEqual(errors, []);
  assert.ok(events.some((e) => e.taskProgress.status === "COMPLETED"));
  const moves = events.flatMap((e) => (e.taskProgress.verification ? [e.taskProgress.verification] : []));
  return { id, moves };
}

test("an honest check: the client sees SAMPLED then VERIFIED, checked on another provider's node", async () => {
  liars.clear();
  const { id, moves } = await submitAndFollow();
  assert.deepEqual(moves, ["SAMPLED", "VERIFIED"]);
  const task = await view(id);
  assert.equal(task.nodeId, "node-a");
  assert.deepEqual(task.result, MLP_OUTPUTS);
  assert.deepEqual(task.verification, {
    status: "VERIFIED",
    checkedBy: "node-b",
    referee: null,
    verdict: "node-b agrees (close)",
  });
});

test("a lying node's task goes DISPUTED -> RESOLVED with the referee's result", async () => {
  liars.clear();
  liars.add("node-a");
  const { id, moves } = await submitAndFollow();
  assert.deepEqual(moves, ["SAMPLED", "DISPUTED", "RESOLVED"]);
  const task = await view(id);
  assert.deepEqual(task.result, MLP_OUTPUTS, "the referee's (node-c's) result replaced the lie");
  assert.equal(task.verification.status, "RESOLVED");
  assert.equal(task.verification.checkedBy, "node-b");
  assert.equal(task.verification.referee, "node-c");
  assert.match(task.verification.verdict ?? "", /^node-a disagrees with node-b and node-c: logits\[0\]/);
  const faults = await new NodeFaults(t.orm).ofNode("node-a");
  assert.deepEqual(
    faults.map((f) => [f.taskId, f.kind]),
    [[id, "wrong_result"]],
  );
});

test("a lying checker is the one at fault; the task keeps its result", async () => {
  liars.clear();
  liars.add("node-b");
  const { id, moves } = await submitAndFollow();
  assert.deepEqual(moves, ["SAMPLED", "DISPUTED", "RESOLVED"]);
  const task = await view(id);
  assert.deepEqual(task.result, MLP_OUTPUTS);
  assert.match(task.verification.verdict ?? "", /^node-b disagrees with node-a and node-c/);
  assert.deepEqual(
    (await new NodeFaults(t.orm).ofNode("node-b")).map((f) => [f.taskId, f.kind]),
    [[id, "wrong_result"]],
  );
  assert.equal(
    (await new NodeFaults(t.orm).ofNode("node-a")).length,
    1,
    "node-a: only its lie of the last test",
  );
});

test("reputation follows the verdicts: each node's and provider's score, by the written rule", async () => {
  // node-a: agreed (first test), at fault (second), agreed (third); node-b: agreed, agreed, at
  // fault; node-c refereed the two disputes on the majority side.
  const node = (id: string) => new ReputationStore(t.orm.em.fork()).ofNode(id);
  const close = (a: number, b: number) => Math.abs(a - b) < 1e-12;
  const a = await node("node-a");
  assert.deepEqual([a.agreed, a.faults], [2, 1]);
  assert.ok(close(a.score, 0.5 * 1.01 * 0.8 * 1.01), String(a.score));
  const b = await node("node-b");
  assert.deepEqual([b.agreed, b.faults], [2, 1]);
  assert.ok(close(b.score, 0.5 * 1.01 * 1.01 * 0.8), String(b.score));
  const me = await graphqlRequest<{ me: { reputation: { score: number; agreed: number; faults: number } } }>(
    t.url,
    providerKeys.get("node-c"),
    `{ me { reputation { score agreed faults } } }`,
  );
  assert.equal(me.errors, undefined, JSON.stringify(me.errors));
  assert.deepEqual(me.data?.me.reputation, { score: 0.5 * 1.01 * 1.01, agreed: 2, faults: 0 });
  // node-a's history, newest first: how its score got where it is, each verdict with its task.
  const history = await graphqlRequest<{
    nodes: { edges: { node: { reputation: { history: Record<string, unknown>[] } } }[] };
  }>(
    t.url,
    providerKeys.get("node-a"),
    `{ nodes { edges { node { reputation { history { verdict source taskId score } } } } } }`,
  );
  assert.equal(history.errors, undefined, JSON.stringify(history.errors));
  const events = history.data?.nodes.edges[0]?.node.reputation.history ?? [];
  assert.deepEqual(
    events.map((e) => [e.verdict, e.source, typeof e.taskId, e.score]),
    [
      ["AGREED", "CHECK", "string", a.score],
      ["FAULT", "CHECK", "string", 0.5 * 1.01 * 0.8],
      ["AGREED", "CHECK", "string", 0.5 * 1.01],
    ],
  );
  const client = await graphqlRequest<{ me: { reputation: null } }>(
    t.url,
    clientKey,
    `{ me { reputation { score } } }`,
  );
  assert.equal(client.data?.me.reputation, null, "a client has no reputation");
});

test("a provider sees its node's faults with the evidence: its result, the checker's, the referee's", async () => {
  const res = await graphqlRequest<{
    nodes: {
      edges: {
        node: {
          id: string;
          faults: {
            kind: string;
            evidence: {
              taskNode: string;
              taskResult: unknown;
              checkedBy: string;
              checkResult: unknown;
              referee: string;
              refereeResult: unknown;
            };
          }[];
        };
      }[];
    };
  }>(
    t.url,
    providerKeys.get("node-a"),
    `{ nodes { edges { node { id faults { kind evidence { taskNode taskResult checkedBy checkResult referee refereeResult } } } } } }`,
  );
  assert.equal(res.errors, undefined, JSON.stringify(res.errors));
  const [edge] = res.data?.nodes.edges ?? [];
  assert.equal(edge?.node.id, "node-a");
  assert.deepEqual(edge?.node.faults, [
    {
      kind: "wrong_result",
      evidence: {
        taskNode: "node-a",
        taskResult: LIE,
        checkedBy: "node-b",
        checkResult: DRIFTED,
        referee: "node-c",
        refereeResult: MLP_OUTPUTS,
      },
    },
  ]);
});
