import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { EntityManager } from "@mikro-orm/postgresql";
import { parseNeuro } from "@neurogrid/contracts";
import { Account, Node, Role } from "../db/entities/index.js";
import { accountForApiKey, issueApiKey } from "../identity/api-keys.js";
import { deposit } from "../ledger/deposit.js";
import { registerBuiltinModels } from "../models/register-builtin.js";

/**
 * The demo world `neurogrid up` seeds once and reuses: a client with 100 NEURO and an API key
 * (kept in the data directory, since only its hash is in the database), a provider owning the
 * local workers' nodes, and the project's own models.
 */
export interface DemoWorld {
  clientId: string;
  providerId: string;
  apiKey: string;
  models: string[];
}

export const DEMO_DEPOSIT = "100";

export async function seedDemo(em: EntityManager, dataDir: string, nodeIds: string[]): Promise<DemoWorld> {
  const models = await registerBuiltinModels(em);
  const client = await upsertAccount(em, "demo-client", Role.CLIENT);
  const provider = await upsertAccount(em, "demo-provider", Role.PROVIDER);
  for (const id of nodeIds) {
    if (!(await em.findOne(Node, id))) em.persist(em.create(Node, { id, provider }));
  }
  await em.flush();
  const keyFile = join(dataDir, "demo-api-key");
  let apiKey = existsSync(keyFile) ? readFileSync(keyFile, "utf8").trim() : "";
  if (!apiKey || (await accountForApiKey(em, apiKey))?.account.id !== client.id) {
    const issued = issueApiKey(em, client, "demo");
    await em.flush();
    apiKey = issued.key;
    writeFileSync(keyFile, `${apiKey}\n`, { mode: 0o600 });
    await deposit(em, client.id, parseNeuro(DEMO_DEPOSIT), "demo deposit");
  }
  return { clientId: client.id, providerId: provider.id, apiKey, models };
}

async function upsertAccount(em: EntityManager, name: string, role: Role): Promise<Account> {
  const found = await em.findOne(Account, { name });
  if (found) return found;
  const account = em.create(Account, { name, role });
  await em.persist(account).flush();
  return account;
}
