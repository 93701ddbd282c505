/**
 * Result verification's states through the public API: a task a real dispatcher completed (real
 * PostgreSQL, Redis, BullMQ; a fake deployment on node-a) is sampled and checked, and its client
 * sees SAMPLED then VERIFIED on taskProgress (graphql-ws); another is disputed and resolved with
 * the referee's result, which replaces node-a's, with a wrong_result fault against node-a. Each
 * move happens once however often it is asked for.
 */
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { Account, Node, Role } from "../db/entities/index.js";
import { NodeFaults } from "../tasks/node-faults.js";
import { FEATURES, MLP_OUTPUTS, until } from "../testing/dispatcher-fixture.js";
import {
  type FakeDeploymentDispatcher,
  fakeDeploymentDispatcher,
} from "../testing/fake-deployment-dispatcher.js";
import { collectSubscription, graphqlRequest } from "../testing/graphql-clients.js";
import { type InProcessApi, startInProcessApi } from "../testing/in-process-api.js";
import { uniquePrefix } from "../testing/test-database.js";
import { VerificationStore } from "./verification-store.js";

const PROGRESS = `subscription($id: ID!) { taskProgress(taskId: $id) { status verification } }`;
const TASK = `query($id: ID!) { task(id: $id) { status result verification { status checkedBy referee verdict } } }`;
const REFEREE_RESULT = { logits: [[0, 0, 1, 0]], probabilities: [[0.1, 0.1, 0.7, 0.1]] };

type Progress = { taskProgress: { status: string; verification: string | null } };
type TaskView = {
  task: {
    status: string;
    result: unknown;
    verification: {
      status: string;
      checkedBy: string | null;
      referee: string | null;
      verdict: string | null;
    };
  };
};

let t: InProcessApi;
let fake: FakeDeploymentDispatcher;
let store: VerificationStore;
let clientKey: string;

before(async () => {
  const prefix = uniquePrefix("verify");
  t = await startInProcessApi({ redisPrefix: prefix });
  const em = t.orm.em.fork();
  const provider = em.create(Account, { name: "provider-a", role: Role.PROVIDER });
  em.persist([provider, em.create(Node, { id: "node-a", provider })]);
  await em.flush();
  fake = fakeDeploymentDispatcher(t.orm, {
    label: "verify",
    nodeId: "node-a",
    taskTimeoutMs: 10_000,
    prefix,
    call: async <T>() => ({ outputs: MLP_OUTPUTS, executionProvider: "cpu", inferenceMs: 1 }) as T,
  });
  await fake.dispatcher.start();
  store = new VerificationStore({ em: t.orm.em.fork(), events: fake.events, now: () => new Date() });
  clientKey = await t.fundedClient("client");
});
after(async () => {
  await fake?.close();
  await t?.stop();
});

async function completedTask(): Promise<string> {
  const res = await graphqlRequest<{ submitTask: { id: string } }>(
    t.url,
    clientKey,
    `mutation($input: JSONObject!) { submitTask(input: { model: "mlp-classifier", input: $input }) { id } }`,
    { input: FEATURES },
  );
  assert.equal(res.errors, undefined);
  const id = res.data?.submitTask.id ?? "";
  await until("the task completed", async () => ((await view(id)).status === "COMPLETED" ? true : undefined));
  return id;
}

async function view(id: string): Promise<TaskView["task"]> {
  const res = await graphqlRequest<TaskView>(t.url, clientKey, TASK, { id });
  assert.equal(res.errors, undefined);
  return res.data?.task as TaskView["task"];
}

/** Follows the task's progress, raising `onEvent` for each event; resolves when the stream ends. */
async function follow(id: string, onEvent: (e: Progress["taskProgress"]) => void) {
  const { events, errors } = await collectSubscription<Progress>(
    t.url,
    { authorization: `Bearer ${clientKey}` },
    PROGRESS,
    { id },
    20_000,
    (v) => onEvent(v.taskProgress),
  );
  assert.deepEqual(errors, []);
  return events.map((e) => [e.taskProgress.status, e.taskProgress.verification].filter(Boolean).join("/"));
}

test("a sampled task's client sees SAMPLED then VERIFIED, and the stream ends there", async () => {
  const id = await completedTask();
  assert.deepEqual((await view(id)).verification, {
    status: "UNCHECKED",
    checkedBy: null,
    referee: null,
    verdict: null,
  });
  assert.equal(await store.sample(id), true);
  assert.equal(await store.sample(id), false, "sampled once");
  const seen = await follow(id, (e) => {
    if (e.verification === "SAMPLED") {
      void store.checked(id, {
        agree: true,
        checkedBy: "node-b",
        result: MLP_OUTPUTS,
        verdict: "agree (close)",
      });
    }
  });
  assert.deepEqual(seen, [
    "QUEUED",
    "SCHEDULED",
    "RUNNING",
    "COMPLETED",
    "COMPLETED/SAMPLED",
    "COMPLETED/VERIFIED",
  ]);
  assert.deepEqual((await view(id)).verification, {
    status: "VERIFIED",
    checkedBy: "node-b",
    referee: null,
    verdict: "agree (close)",
  });
  const again = await store.checked(id, { agree: false, checkedBy: "node-c", result: {}, verdict: "late" });
  assert.equal(again, false, "a verified task stays verified");
});

test("a disputed task is resolved with the referee's result and a fault against the node at fault", async () => {
  const id = await completedTask();
  await store.sample(id);
  const seen = await follow(id, (e) => {
    if (e.verification === "SAMPLED") {
      void store.checked(id, {
        agree: false,
        checkedBy: "node-b",
        result: REFEREE_RESULT,
        verdict: "logits[2] differs",
      });
    }
    if (e.verification === "DISPUTED") {
      void store.resolve(id, {
        referee: "node-c",
        refereeResult: REFEREE_RESULT,
        atFault: "node-a",
        verdict: "node-a disagrees with node-b and node-c",
      });
    }
  });
  assert.deepEqual(seen, [
    "QUEUED",
    "SCHEDULED",
    "RUNNING",
    "COMPLETED",
    "COMPLETED/SAMPLED",
    "COMPLETED/DISPUTED",
    "COMPLETED/RESOLVED",
  ]);
  const task = await view(id);
  assert.deepEqual(task.result, REFEREE_RESULT, "the client has the referee's result");
  assert.deepEqual(task.verification, {
    status: "RESOLVED",
    checkedBy: "node-b",
    referee: "node-c",
    verdict: "node-a disagrees with node-b and node-c",
  });
  const faults = await new NodeFaults(t.orm).ofNode("node-a");
  assert.deepEqual(faults, [
    { nodeId: "node-a", taskId: id, kind: "wrong_result", detail: "node-a disagrees with node-b and node-c" },
  ]);
  const twice = await store.resolve(id, {
    referee: "node-d",
    refereeResult: {},
    atFault: "node-a",
    verdict: "again",
  });
  assert.equal(twice, false);
  assert.equal((await new NodeFaults(t.orm).ofNode("node-a")).length, 1, "one fault per dispute");
});

test("only a COMPLETED task is sampled", async () => {
  assert.equal(await store.sample("00000000-0000-4000-8000-000000000000"), false);
});

test("a check whose process died is ended by the sweep, and its subscriber's stream ends", async () => {
  const sampled = await completedTask();
  const disputed = await completedTask();
  await store.sample(sampled);
  await store.sample(disputed);
  await store.checked(disputed, {
    agree: false,
    checkedBy: "node-b",
    result: REFEREE_RESULT,
    verdict: "differs",
  });
  assert.equal(await store.sweepStale(new Date(Date.now() - 60_000)), 0, "nothing that recent is stale");
  assert.equal(await store.sweepStale(new Date(Date.now() + 1)), 2);
  const seen = await follow(sampled, () => {});
  assert.deepEqual(seen.slice(-2), ["COMPLETED/SAMPLED", "COMPLETED/UNCHECKED"]);
  assert.deepEqual((await view(sampled)).verification, {
    status: "UNCHECKED",
    checkedBy: null,
    referee: null,
    verdict: "the check did not finish",
  });
  const resolved = (await view(disputed)).verification;
  assert.deepEqual(
    [resolved.status, resolved.verdict],
    ["RESOLVED", "the referee did not finish: no fault found"],
  );
  assert.deepEqual(await new NodeFaults(t.orm).ofNode("node-b"), [], "no fault without a referee");
});
