import type { MikroORM } from "@mikro-orm/postgresql";
import { Account, Node, Role } from "../db/entities/index.js";
import { issueApiKey } from "../identity/api-keys.js";
import { deposit } from "../ledger/deposit.js";
import { registerBuiltinModels } from "../models/register-builtin.js";
import type { InProcessApi } from "./in-process-api.js";

/** A provider made for one node: its account id and API key. */
export interface NodeProvider {
  id: string;
  key: string;
}

/**
 * What a test of result verification starts from, written straight to the database: the builtin
 * models, a client with an API key and a deposit, and a provider of its own for each node (a
 * check needs another provider's node), each with an API key. `passwordHash` lets the accounts
 * sign in through the dashboard's form.
 */
export async function seedProviderNodes(
  orm: MikroORM,
  nodes: readonly string[],
  opts: { label: string; deposit?: bigint; passwordHash?: string },
): Promise<{ clientId: string; clientKey: string; providers: Map<string, NodeProvider> }> {
  const em = orm.em.fork();
  await registerBuiltinModels(em);
  const login = opts.passwordHash ? { passwordHash: opts.passwordHash } : {};
  const client = em.create(Account, { name: `${opts.label}-client`, role: Role.CLIENT, ...login });
  em.persist(client);
  const made = nodes.map((node, i) => {
    const provider = em.create(Account, {
      name: `${opts.label}-provider-${i}`,
      role: Role.PROVIDER,
      ...login,
    });
    em.persist([provider, em.create(Node, { id: node, provider })]);
    return [node, provider] as const;
  });
  const clientKey = issueApiKey(em, client).key;
  const providers = new Map(made.map(([node, p]) => [node, { id: p.id, key: issueApiKey(em, p).key }]));
  await em.flush();
  await deposit(orm.em.fork(), client.id, opts.deposit ?? 1_000_000_000n, "test deposit");
  return { clientId: client.id, clientKey, providers };
}

/**
 * The same nodes in an in-process api's database (testing/in-process-api.ts): a provider of its
 * own for each node; the providers' API keys by node.
 */
export async function addProviderNodes(
  t: Pick<InProcessApi, "orm" | "account">,
  nodes: readonly string[],
): Promise<Map<string, string>> {
  const keys = new Map<string, string>();
  const em = t.orm.em.fork();
  for (const node of nodes) {
    const provider = await t.account(`provider-of-${node}`, Role.PROVIDER);
    keys.set(node, provider.key);
    em.persist(em.create(Node, { id: node, provider: em.getReference(Account, provider.id) }));
  }
  await em.flush();
  return keys;
}
