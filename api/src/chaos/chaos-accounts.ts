import type { MikroORM } from "@mikro-orm/postgresql";
import { Account, Model, Node, Role } from "../db/entities/index.js";
import { issueApiKey } from "../identity/api-keys.js";
import { deposit } from "../ledger/deposit.js";
import { registerBuiltinModels } from "../models/register-builtin.js";
import { escrowOf, pricingOf } from "../pricing/pricing.js";

/**
 * The accounts a chaos run starts from, written straight to the database: one provider per
 * worker node, and the model deployed with a replica per node at least (its manifest's
 * minReplicas), so result verification's spot checks, which re-run a task on another provider's
 * node, run under the chaos too (with one replica, never scaled up under the chaos's load, no
 * task was ever drawn); and a few clients, each with an API key and a deposit that covers the
 * escrow of every task it will submit (plus a spare, so "covers" is not "exactly").
 */
export interface ChaosClient {
  id: string;
  key: string;
  deposited: bigint;
}

export interface ChaosAccounts {
  /** Each worker node's provider, in the order of the node ids. */
  providerIds: string[];
  clients: ChaosClient[];
  /** The escrow one task of the model holds (its maximum price). */
  escrow: bigint;
}

const SPARE_TASKS = 5n;

export async function seedChaosAccounts(
  orm: MikroORM,
  opts: { model: string; nodeIds: string[]; tasksPerClient: number[] },
): Promise<ChaosAccounts> {
  const em = orm.em.fork();
  await registerBuiltinModels(em);
  const model = await em.findOneOrFail(Model, { name: opts.model }, { orderBy: { createdAt: "desc" } });
  const escrow = escrowOf(pricingOf(model.manifest));
  const { deployment } = model.manifest;
  const minReplicas = Math.max(deployment?.minReplicas ?? 1, opts.nodeIds.length);
  model.manifest = { ...model.manifest, deployment: { ...deployment, minReplicas } };
  const providers = opts.nodeIds.map((id) => {
    const provider = em.create(Account, { name: `chaos-provider-of-${id}`, role: Role.PROVIDER });
    em.persist([provider, em.create(Node, { id, provider })]);
    return provider;
  });
  const made = opts.tasksPerClient.map((tasks, i) => {
    const account = em.create(Account, { name: `chaos-client-${i}`, role: Role.CLIENT });
    em.persist(account);
    return {
      account,
      key: issueApiKey(em, account, "chaos").key,
      deposited: escrow * (BigInt(tasks) + SPARE_TASKS),
    };
  });
  await em.flush();
  for (const c of made) await deposit(orm.em.fork(), c.account.id, c.deposited, "chaos deposit");
  return {
    providerIds: providers.map((p) => p.id),
    clients: made.map((c) => ({ id: c.account.id, key: c.key, deposited: c.deposited })),
    escrow,
  };
}
