import type { MikroORM } from "@mikro-orm/postgresql";
import { Account, Model, Role } from "../db/entities/index.js";
import { migrate, openOrm } from "../db/orm.js";
import { deposit } from "../ledger/deposit.js";
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
    close: async () => {
      await orm.close();
      await db.drop();
    },
  };
}
