/**
 * The attempt runner (attempt-runner.ts) with fakes: the lifecycle's in-memory store
 * (fake-task-store.ts), a deployment whose calls the test answers, and a recording event bus.
 * No timers: each test awaits the runner or the call it is answering.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { ClusterError, type DeploymentCallOptions } from "@neurogrid/cluster";
import type { ActorInfo, Pricing } from "@neurogrid/schema";
import { AttemptRunner } from "./attempt-runner.js";
import { clientOf, FakeTaskStore } from "./fake-task-store.js";
import type { ModelDeployment } from "./model-deployments.js";
import type { NodeFault } from "./node-faults.js";
import type { TaskProgressEvent } from "./task-events.js";

const MODEL = "model-1";
const PRICING = { unit: "call" as const, price: "100", maxUnits: 1 };
const replica = {
  actorId: "a1",
  nodeId: "n1",
  name: "r",
  namespace: "ns",
  address: "x",
  state: "ALIVE",
} as ActorInfo;

interface Call {
  taskId: string;
  signal: AbortSignal | undefined;
  answer: (outcome: unknown) => void;
  fail: (err: unknown) => void;
}

function setUp(opts: { pricing?: Pricing; maxResultChars?: number } = {}) {
  const pricing = opts.pricing ?? PRICING;
  const faults: NodeFault[] = [];
  const store = new FakeTaskStore();
  store.balances.set(clientOf("c").available, 1_000n);
  const events: TaskProgressEvent[] = [];
  const calls: Call[] = [];
  let called: (c: Call) => void = () => {};
  const nextCall = () =>
    new Promise<Call>((resolve) => {
      called = resolve;
    });
  const deployment: ModelDeployment = {
    lease: async () => ({ replica, release: () => {} }),
    leaseWhere: async (accept) => ((await accept(replica)) ? { replica, release: () => {} } : undefined),
    call: <T>(_method: string, _args: unknown, opts: DeploymentCallOptions = {}) =>
      new Promise<T>((resolve, reject) => {
        const call = {
          taskId: opts.traceId ?? "",
          signal: opts.signal,
          answer: (o: unknown) => resolve(o as T),
          fail: reject,
        };
        opts.signal?.addEventListener("abort", () => reject(new ClusterError("CANCELLED", "aborted")));
        calls.push(call);
        called(call);
      }),
    stream: () => {
      throw new Error("not generative");
    },
  };
  const runner = new AttemptRunner({
    store,
    deployments: {
      known: (id) => (id === MODEL ? deployment : undefined),
      forModel: async () => deployment,
      manifestOf: () => ({
        name: "m",
        version: "1",
        description: "",
        inputs: [{ name: "x", dtype: "float32", shape: [-1] }],
        outputs: [{ name: "y", dtype: "float32", shape: [-1] }],
        pricePerCall: "1",
        resources: { cpus: 0, memoryMb: 0, gpus: 0 },
      }),
    },
    faults: {
      record: async (f) => {
        faults.push(f);
      },
    },
    maxResultChars: opts.maxResultChars ?? 10_000,
    events: {
      publish: async (e) => {
        events.push(e);
      },
      publishAll: async (es) => {
        events.push(...es);
      },
    },
    providerOf: async () => "p1",
    taskRef: async (id) => {
      const t = store.tasks.get(id);
      return t ? { id, accountId: t.accountId, pricing: t.pricing, maxPrice: t.escrow } : null;
    },
    platformFeeBps: 1000,
    taskTimeoutMs: 10_000,
    startWriteDelayMs: 0,
  });
  const hold = async (taskId: string) => {
    const outcome = await store.hold({
      accountId: "c",
      accounts: clientOf("c"),
      now: new Date(),
      modelChecks: [],
      tasks: [
        {
          taskId,
          modelId: MODEL,
          idempotencyKey: null,
          priority: 0,
          input: { x: [1] },
          pricing,
          escrow: BigInt(pricing.price) * BigInt(pricing.maxUnits),
          memo: "",
        },
      ],
    });
    assert.equal(outcome.held, true);
  };
  const statuses = (taskId: string) => events.filter((e) => e.taskId === taskId).map((e) => e.status);
  const kinds = (taskId: string) => store.movements.filter((m) => m.taskId === taskId).map((m) => m.kind);
  return { store, runner, calls, nextCall, hold, statuses, kinds, faults };
}

const ANSWER = { outputs: { y: [1] }, executionProvider: "cpu", inferenceMs: 1 };

test("a held task runs once: started, called, captured; its states announced in order", async () => {
  const { runner, store, nextCall, hold, statuses, kinds } = setUp();
  await hold("t1");
  const call = nextCall();
  const run = runner.run({ taskId: "t1", attempt: 1, lastAttempt: false });
  (await call).answer(ANSWER);
  assert.equal(await run, undefined);
  assert.equal(store.tasks.get("t1")?.state, "COMPLETED");
  assert.deepEqual(kinds("t1"), ["hold", "capture"]);
  assert.deepEqual(statuses("t1"), ["SCHEDULED", "RUNNING", "COMPLETED"]);
});

test("a task that is not held is never called, and nothing is written of it", async () => {
  const { runner, store, calls, statuses } = setUp();
  assert.equal(await runner.run({ taskId: "nobody", attempt: 1, lastAttempt: true }), undefined);
  assert.equal(calls.length, 0);
  assert.equal(store.tasks.size, 0);
  assert.equal(store.movements.length, 0);
  assert.deepEqual(statuses("nobody"), []);
});

test("an early call whose start finds the task final is aborted; nothing more is charged or announced", async () => {
  const { runner, store, nextCall, hold, statuses, kinds } = setUp();
  await hold("t2");
  await store.refund({
    task: { id: "t2", accountId: "c", maxPrice: 100n },
    status: "CANCELLED",
    error: "test",
  });
  const call = nextCall();
  const run = runner.run({ taskId: "t2", attempt: 1, lastAttempt: false, modelId: MODEL, input: { x: [1] } });
  const early = await call;
  assert.equal(await run, undefined);
  assert.equal(early.signal?.aborted, true, "aborted once the start found nothing");
  assert.deepEqual(kinds("t2"), ["hold", "refund"]);
  assert.deepEqual(statuses("t2"), []);
});

test("a failed call is returned to retry; on the last attempt the task is refunded and FAILED", async () => {
  const { runner, store, nextCall, hold, statuses, kinds } = setUp();
  await hold("t3");
  let call = nextCall();
  let run = runner.run({ taskId: "t3", attempt: 1, lastAttempt: false });
  (await call).fail(new Error("replica went away"));
  assert.equal((await run)?.message, "replica went away");
  assert.equal(store.tasks.get("t3")?.state, "RUNNING", "open, for the retry");
  call = nextCall();
  run = runner.run({ taskId: "t3", attempt: 2, lastAttempt: true });
  (await call).fail(new Error("again"));
  assert.equal(await run, undefined);
  assert.equal(store.tasks.get("t3")?.state, "FAILED");
  assert.deepEqual(kinds("t3"), ["hold", "refund"]);
  assert.equal(statuses("t3").at(-1), "FAILED");
});

test("cancel() aborts a running call; a task cancelled meanwhile is refunded once and never captured", async () => {
  const { runner, store, nextCall, hold, kinds } = setUp();
  await hold("t4");
  const call = nextCall();
  const run = runner.run({ taskId: "t4", attempt: 1, lastAttempt: false });
  const running = await call;
  await store.refund({
    task: { id: "t4", accountId: "c", maxPrice: 100n },
    status: "CANCELLED",
    error: "by client",
  });
  runner.cancel("t4");
  assert.equal(await run, undefined);
  assert.equal(running.signal?.aborted, true);
  assert.equal(store.tasks.get("t4")?.state, "CANCELLED");
  assert.deepEqual(kinds("t4"), ["hold", "refund"]);
});

for (const [what, answer, maxResultChars] of [
  [
    "not the model's declared output",
    { outputs: { z: "junk" }, executionProvider: "cpu", inferenceMs: 1 },
    10_000,
  ],
  [
    "a NaN where a number is due",
    { outputs: { y: [Number.NaN] }, executionProvider: "cpu", inferenceMs: 1 },
    10_000,
  ],
  [
    "larger than the cap",
    { outputs: { y: Array.from({ length: 2_000 }, () => 1) }, executionProvider: "cpu", inferenceMs: 1 },
    1_024,
  ],
] as const) {
  test(`an answer ${what}: not stored or charged; the task fails for good, refunded, and the node's fault is recorded`, async () => {
    const { runner, store, nextCall, hold, statuses, kinds, faults } = setUp({ maxResultChars });
    await hold("t-junk");
    const running = runner.run({ taskId: "t-junk", attempt: 1, lastAttempt: false, modelId: MODEL });
    (await nextCall()).answer(answer);
    assert.equal(await running, undefined, "not returned for a retry");
    assert.deepEqual(kinds("t-junk"), ["hold", "refund"]);
    assert.equal(store.tasks.get("t-junk")?.state, "FAILED");
    assert.equal(statuses("t-junk").at(-1), "FAILED");
    assert.equal(faults.length, 1);
    assert.equal(faults[0]?.nodeId, "n1");
    assert.equal(faults[0]?.taskId, "t-junk");
    assert.equal(faults[0]?.kind, "invalid_output");
  });
}

test("a per-millisecond model is charged for the call's time measured here, not the time its provider reports", async () => {
  const pricing: Pricing = { unit: "compute_ms", price: "1", maxUnits: 100_000 };
  const { runner, store, nextCall, hold } = setUp({ pricing });
  store.balances.set(clientOf("c").available, 1_000_000n);
  await hold("t-ms");
  const running = runner.run({ taskId: "t-ms", attempt: 1, lastAttempt: false, modelId: MODEL });
  (await nextCall()).answer({ outputs: { y: [1] }, executionProvider: "cpu", inferenceMs: 90_000 });
  assert.equal(await running, undefined);
  const capture = store.movements.find((m) => m.taskId === "t-ms" && m.kind === "capture");
  assert.ok(capture, "captured");
  // What the client pays back into its available balance: escrow - cost. The provider claimed
  // 90 s; the call was answered at once.
  const refunded = capture.legs.find((l) => l.accountId === clientOf("c").available)?.amount ?? 0n;
  const cost = 100_000n - refunded;
  assert.ok(cost < 10_000n, `charged ${cost} units: not the 90,000 ms the provider reported`);
});
