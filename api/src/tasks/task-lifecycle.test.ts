import assert from "node:assert/strict";
import { test } from "node:test";
import { TaskStatus } from "@neurogrid/schema";
import fc from "fast-check";
import { balances } from "../ledger/movements.js";
import { clientOf, FakeTaskStore } from "./fake-task-store.js";
import {
  FINAL_STATES,
  type LifecycleEvent,
  OPEN_STATES,
  type TaskState,
  transition,
} from "./task-lifecycle.js";

const ALL_STATES: (TaskState | undefined)[] = [undefined, ...OPEN_STATES, ...FINAL_STATES];
const eventArb: fc.Arbitrary<LifecycleEvent> = fc.oneof(
  fc.constantFrom<LifecycleEvent>(
    { type: "hold" },
    { type: "schedule" },
    { type: "start" },
    { type: "complete" },
    { type: "fail" },
    { type: "cancel" },
    { type: "retry" },
  ),
  fc
    .constantFrom(TaskStatus.FAILED, TaskStatus.CANCELLED)
    .map((status) => ({ type: "cutShort" as const, status })),
);

test("a final state absorbs every event; only a hold creates a task; money moves only from an open state", () => {
  fc.assert(
    fc.property(fc.constantFrom(...ALL_STATES), eventArb, (state, event) => {
      const step = transition(state, event);
      if (state !== undefined && FINAL_STATES.includes(state)) {
        assert.equal(step.next, state);
        assert.deepEqual([...step.writes, ...step.announces], []);
      }
      if (state === undefined) {
        assert.equal(step.writes.length > 0, event.type === "hold");
      }
      const moves = step.writes.filter((w) => w === "hold" || w === "capture" || w === "refund");
      assert.ok(moves.length <= 1, "one movement per write at most");
      if (moves[0] === "capture" || moves[0] === "refund") {
        assert.ok(state !== undefined && OPEN_STATES.includes(state));
        assert.ok(step.next !== undefined && FINAL_STATES.includes(step.next));
      }
    }),
  );
});

/**
 * One write the attempts of some task make, in any order, any number of times: duplicates (a
 * retried statement, a job run twice), reordering (two attempts after a lease lapsed), and a
 * crash or restart between any two writes (the writes that never came are simply absent, and
 * a restarted attempt's writes come after).
 */
type Op =
  | { task: number; kind: "hold"; price: number }
  | { task: number; kind: "schedule" | "start" | "fail" | "cancel" | "crash" }
  | { task: number; kind: "complete" | "cutShort"; used: number };

const opArb: fc.Arbitrary<Op> = fc.oneof(
  fc.record({ task: fc.nat(2), kind: fc.constant("hold" as const), price: fc.nat(50) }),
  fc.record({
    task: fc.nat(2),
    kind: fc.constantFrom(
      "schedule" as const,
      "start" as const,
      "fail" as const,
      "cancel" as const,
      "crash" as const,
    ),
  }),
  fc.record({
    task: fc.nat(2),
    kind: fc.constantFrom("complete" as const, "cutShort" as const),
    used: fc.nat(20),
  }),
);

test("random event sequences: held before anything, final absorbs, captured or refunded once, never both, every movement balances", async () => {
  await fc.assert(
    fc.asyncProperty(fc.array(opArb, { maxLength: 60 }), fc.bigInt(0n, 2_000n), async (ops, funds) => {
      const store = new FakeTaskStore();
      const account = "client";
      const client = clientOf(account);
      store.balances.set(client.available, funds);
      const id = (n: number) => `task-${n}`;
      let attempts = 0;
      for (const op of ops) {
        const task = { id: id(op.task), accountId: account };
        const known = store.tasks.get(task.id);
        const before = known ? [...known.history] : undefined;
        switch (op.kind) {
          case "hold":
            await store
              .hold({
                accountId: account,
                accounts: client,
                now: new Date(),
                modelChecks: [],
                tasks: [
                  {
                    taskId: task.id,
                    modelId: "m",
                    idempotencyKey: null,
                    priority: 0,
                    input: {},
                    pricing: { unit: "output_token", price: String(op.price), maxUnits: 20 },
                    escrow: BigInt(op.price) * 20n,
                    memo: "hold",
                  },
                ],
              })
              .catch(() => undefined); // held already: the unique task id refuses it
            break;
          case "crash":
            attempts++; // a restart: the next writes are another attempt's
            break;
          case "schedule":
          case "start": {
            const started = await store.start({
              taskId: task.id,
              attempts: ++attempts,
              ...(op.kind === "start" ? { running: { nodeId: "n", actorId: "a" } } : {}),
            });
            // No attempt starts (no provider computes) for a task that is not held.
            if (started) assert.ok(known, "started a task that was never held");
            break;
          }
          case "complete":
          case "cutShort": {
            await store.capture({
              task: {
                ...task,
                maxPrice: known?.escrow ?? 0n,
                pricing: known?.pricing ?? { unit: "output_token", price: "50", maxUnits: 20 },
              },
              status: op.kind === "complete" ? "COMPLETED" : "FAILED",
              result: {},
              usage: { completed: op.kind === "complete", outputTokens: op.used },
              executionProvider: "cpu",
              inferenceMs: 1,
              nodeId: "n",
              providerId: "p",
              platformFeeBps: 1000,
            });
            break;
          }
          case "fail":
          case "cancel":
            await store.refund({
              task: { ...task, maxPrice: known?.escrow ?? 0n },
              status: op.kind === "fail" ? "FAILED" : "CANCELLED",
              error: op.kind,
            });
            break;
        }
        // A final state absorbs: once final, the task's history never grows.
        const last = before?.at(-1);
        if (last !== undefined && FINAL_STATES.includes(last)) {
          assert.deepEqual(store.tasks.get(task.id)?.history, before);
        }
      }
      for (const [taskId, task] of store.tasks) {
        const kinds = store.movements.filter((m) => m.taskId === taskId).map((m) => m.kind);
        assert.equal(kinds[0], "hold", "the hold comes first");
        assert.equal(kinds.filter((k) => k === "hold").length, 1);
        const captured = kinds.filter((k) => k === "capture").length;
        const refunded = kinds.filter((k) => k === "refund").length;
        assert.ok(captured + refunded <= 1, `${taskId}: captured ${captured}, refunded ${refunded}`);
        assert.equal(captured + refunded === 1, FINAL_STATES.includes(task.state));
      }
      for (const m of store.movements)
        assert.ok(balances(m.legs), `${m.kind} of ${m.taskId} does not balance`);
      // Nothing made or lost: what the client had is where it went; held is the open escrow.
      const total = [...store.balances.values()].reduce((s, b) => s + b, 0n);
      assert.equal(total, funds);
      const openEscrow = [...store.tasks.values()]
        .filter((t) => OPEN_STATES.includes(t.state))
        .reduce((s, t) => s + t.escrow, 0n);
      assert.equal(store.balances.get(client.held) ?? 0n, openEscrow);
      for (const [accountId, b] of store.balances) assert.ok(b >= 0n, `${accountId} went negative: ${b}`);
    }),
    { numRuns: 500 },
  );
});
