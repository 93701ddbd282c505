import { randomUUID } from "node:crypto";
import type { MikroORM } from "@mikro-orm/postgresql";
import { Account, Model, Role } from "../db/entities/index.js";
import { migrate, openOrm } from "../db/orm.js";
import { clientAccounts } from "../ledger/accounts.js";
import { deposit } from "../ledger/deposit.js";
import { type HoldOutcome, holdTasks } from "../ledger/hold-statement.js";
import { registerBuiltinModels } from "../models/register-builtin.js";
import { createTestDatabase } from "./test-database.js";

/**
 * A fresh database for the ledger's statement tests: migrated, the builtin models registered, one
 * client (with `deposited` smallest units) and one provider. `close()` drops it all.
 */
export interface LedgerFixture {
  orm: MikroORM;
  clientId: string;
  providerId: string;
  /** mlp-classifier's id. */
  modelId: string;
  /**
   * Holds `count` new tasks of the client's (mlp-classifier, priced per call at `escrow` unless
   * `pricing` says otherwise) in one hold statement: their ids, and its outcome.
   */
  hold(
    count: number,
    escrow: bigint,
    opts?: { pricing?: unknown; verify?: boolean },
  ): Promise<{ ids: string[]; outcome: HoldOutcome }>;
  close(): Promise<void>;
}

export async function ledgerFixture(deposited: bigint): Promise<LedgerFixture> {
  const db = await createTestDatabase();
  const orm = await openOrm(db.url);
  await migrate(orm);
  await registerBuiltinModels(orm.em.fork());
  const em = orm.em.fork();
  const client = em.create(Account, { name: "c", role: Role.CLIENT });
  const provider = em.create(Account, { name: "p", role: Role.PROVIDER });
  await em.persist([client, provider]).flush();
  const modelId = (await em.findOneOrFail(Model, { name: "mlp-classifier" })).id;
  await deposit(orm.em.fork(), client.id, deposited, "test");
  return {
    orm,
    clientId: client.id,
    providerId: provider.id,
    modelId,
    async hold(count, escrow, opts = {}) {
      const em = orm.em.fork();
      const ids = Array.from({ length: count }, () => randomUUID());
      const pricing = opts.pricing ?? { unit: "call", price: escrow.toString(), maxUnits: 1 };
      const [outcome] = await holdTasks(em, [
        {
          accountId: client.id,
          accounts: await clientAccounts(em, client.id),
          now: new Date(),
          modelChecks: [],
          tasks: ids.map((taskId) => ({
            taskId,
            modelId,
            idempotencyKey: null,
            priority: 0,
            input: {},
            pricing,
            escrow,
            verify: opts.verify === true,
            memo: "test",
          })),
        },
      ]);
      return { ids, outcome: outcome as HoldOutcome };
    },
    close: async () => {
      await orm.close();
      await db.drop();
    },
  };
}
