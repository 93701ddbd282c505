/**
 * The lifecycle's property test (task-lifecycle.test.ts) against the real store: PgTaskStore's
 * group-committed statements (ledger/hold-statement.ts, start-statement.ts,
 * ledger/settle-statement.ts) on PostgreSQL. Random rounds of writes to a few tasks, each
 * round's writes at once (so they are grouped into shared statements and race as two attempts
 * of one task do after a lease lapsed), with duplicates, any order, and restarts between any
 * two writes. After every round: a final task's row never changes again; after the run: each
 * task held once before anything else, captured or refunded at most once and never both, final
 * exactly when settled, every movement balanced (the ledger check), and the client's held
 * balance equal to the escrow of its open tasks.
 */
import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import { test } from "node:test";
import { isFinalTaskStatus } from "@neurogrid/schema";
import fc from "fast-check";
import { Model } from "../db/entities/index.js";
import { balancesOf, clientAccounts } from "../ledger/accounts.js";
import { checkLedger } from "../ledger/check.js";
import { seededDatabase } from "../testing/dispatcher-fixture.js";
import { PgTaskStore } from "./task-store.js";

const NODE = "pg-property-node";
const db = seededDatabase([NODE]);

type Op =
  | { task: number; kind: "hold" }
  | { task: number; kind: "schedule" | "start" | "fail" | "cancel" }
  | { task: number; kind: "complete" | "cutShort"; used: number };

const opArb: fc.Arbitrary<Op> = fc.oneof(
  fc.record({ task: fc.nat(2), kind: fc.constant("hold" as const) }),
  fc.record({
    task: fc.nat(2),
    kind: fc.constantFrom("schedule" as const, "start" as const, "fail" as const, "cancel" as const),
  }),
  fc.record({
    task: fc.nat(2),
    kind: fc.constantFrom("complete" as const, "cutShort" as const),
    used: fc.nat(20),
  }),
);

interface Row {
  status: string;
  max_price: string;
  cost: string | null;
  finished_at: Date | null;
}

test("PgTaskStore under random concurrent writes: held first, final absorbs, settled once, never both, balanced", async () => {
  const em = () => db.orm().em.fork();
  const store = new PgTaskStore(db.orm().em);
  const clientId = db.fx().clientId;
  const providerId = db.fx().providerId;
  const accounts = await clientAccounts(em(), clientId);
  const model = await em().findOneOrFail(Model, { name: "mlp-classifier" });
  const everyTask: string[] = [];

  const rows = async (ids: string[]): Promise<Map<string, Row>> => {
    const found = await em().execute<(Row & { id: string })[]>(
      "select id, status, max_price, cost, finished_at from tasks where id = any(?::uuid[])",
      [`{${ids.join(",")}}`],
    );
    return new Map(found.map((r) => [r.id, r]));
  };

  await fc.assert(
    fc.asyncProperty(
      fc.array(fc.array(opArb, { minLength: 1, maxLength: 4 }), { minLength: 1, maxLength: 8 }),
      fc.array(fc.bigInt(1n, 50n), { minLength: 3, maxLength: 3 }),
      async (rounds, prices) => {
        const ids = [randomUUID(), randomUUID(), randomUUID()];
        everyTask.push(...ids);
        let attempts = 0;
        // Tasks an attempt was started for (a start statement returned the task).
        const started = new Set<string>();
        const run = async (op: Op): Promise<void> => {
          const taskId = ids[op.task] as string;
          // Each task's price: its hold's escrow, what its settlements release (as a job carries it).
          const maxPrice = prices[op.task] as bigint;
          switch (op.kind) {
            case "hold":
              await store
                .hold({
                  accountId: clientId,
                  accounts,
                  now: new Date(),
                  modelChecks: [],
                  tasks: [
                    {
                      taskId,
                      modelId: model.id,
                      idempotencyKey: null,
                      priority: 0,
                      input: {},
                      pricing: null,
                      escrow: maxPrice,
                      memo: "property hold",
                    },
                  ],
                })
                .catch(() => undefined); // held already: the task's id refuses a second row
              return;
            case "schedule":
            case "start": {
              const task = await store.start({
                taskId,
                attempts: ++attempts,
                ...(op.kind === "start" ? { running: { nodeId: NODE, actorId: "a" } } : {}),
              });
              if (task) started.add(taskId);
              return;
            }
            case "complete":
            case "cutShort":
              await store.capture({
                task: {
                  id: taskId,
                  accountId: clientId,
                  maxPrice,
                  pricing: { unit: "call", price: maxPrice.toString(), maxUnits: 1 },
                },
                status: op.kind === "complete" ? "COMPLETED" : "FAILED",
                result: {},
                usage: { completed: op.kind === "complete" },
                executionProvider: "cpu",
                inferenceMs: op.used,
                nodeId: NODE,
                providerId,
                platformFeeBps: 1000,
              });
              return;
            case "fail":
            case "cancel":
              await store.refund({
                task: { id: taskId, accountId: clientId, maxPrice },
                status: op.kind === "fail" ? "FAILED" : "CANCELLED",
                error: op.kind,
              });
              return;
          }
        };
        for (const round of rounds) {
          // A round restarts the attempts: its writes are a new attempt's, or several at once.
          attempts++;
          const before = await rows(ids);
          await Promise.all(round.map(run));
          const after = await rows(ids);
          for (const [id, was] of before) {
            if (isFinalTaskStatus(was.status as never)) {
              assert.deepEqual(after.get(id), was, `${id}: a final row changed`);
            }
          }
        }
        const movements = await em().execute<{ task_id: string; kind: string }[]>(
          "select task_id, kind from ledger_transactions where task_id = any(?::uuid[]) order by created_at, kind = 'hold' desc",
          [`{${ids.join(",")}}`],
        );
        const final = await rows(ids);
        for (const id of started) {
          assert.ok(
            movements.some((m) => m.task_id === id && m.kind === "hold"),
            "an attempt started for a task whose price is not held",
          );
        }
        for (const id of ids) {
          const kinds = movements.filter((m) => m.task_id === id).map((m) => m.kind);
          const row = final.get(id);
          if (!row) {
            assert.deepEqual(kinds, [], "money moved for a task that was never held");
            continue;
          }
          assert.equal(kinds[0], "hold", "the hold comes first");
          assert.equal(kinds.filter((k) => k === "hold").length, 1);
          const settled = kinds.filter((k) => k === "capture" || k === "refund").length;
          assert.ok(settled <= 1, `${id}: ${kinds.join(", ")}`);
          assert.equal(
            settled === 1,
            isFinalTaskStatus(row.status as never),
            `${id}: ${row.status}, ${kinds}`,
          );
        }
      },
    ),
    { numRuns: 40 },
  );

  const check = await checkLedger(em());
  assert.equal(
    check.ok,
    true,
    JSON.stringify(check, (_k, v) => (typeof v === "bigint" ? String(v) : v)),
  );
  const open = await em().execute<{ escrow: string | null }[]>(
    "select sum(max_price) as escrow from tasks where account_id = ? and status in ('QUEUED', 'SCHEDULED', 'RUNNING')",
    [clientId],
  );
  assert.equal((await balancesOf(em(), clientId)).held, BigInt(open[0]?.escrow ?? "0"), "held = open escrow");
  assert.ok(everyTask.length > 0);
});
