import type { MikroORM } from "@mikro-orm/postgresql";
import { Account, Node, Role } from "../db/entities/index.js";
import { issueApiKey } from "../identity/api-keys.js";
import { deposit } from "../ledger/deposit.js";
import { registerBuiltinModels } from "../models/register-builtin.js";

/** Accounts, keys, nodes and models an end-to-end test starts from, written straight to the DB. */
export interface Fixture {
  clientId: string;
  clientKey: string;
  poorClientKey: string;
  providerId: string;
  providerKey: string;
}

export async function seedFixture(orm: MikroORM, nodeIds: string[], clientDeposit: bigint): Promise<Fixture> {
  const em = orm.em.fork();
  await registerBuiltinModels(em);
  const client = em.create(Account, { name: "client-a", role: Role.CLIENT });
  const poor = em.create(Account, { name: "client-poor", role: Role.CLIENT });
  const provider = em.create(Account, { name: "provider-a", role: Role.PROVIDER });
  em.persist([client, poor, provider]);
  for (const id of nodeIds) em.persist(em.create(Node, { id, provider }));
  const clientKey = issueApiKey(em, client).key;
  const poorClientKey = issueApiKey(em, poor).key;
  const providerKey = issueApiKey(em, provider).key;
  await em.flush();
  await deposit(em, client.id, clientDeposit, "test deposit");
  return { clientId: client.id, clientKey, poorClientKey, providerId: provider.id, providerKey };
}
