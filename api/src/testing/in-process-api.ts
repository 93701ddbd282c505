import type { MikroORM } from "@mikro-orm/postgresql";
import { type ApiProcess, type ApiProcessExtras, startApiProcess } from "../app.js";
import { parseApiConfig } from "../config.js";
import { Account, Role } from "../db/entities/index.js";
import { migrate, openOrm } from "../db/orm.js";
import { issueApiKey } from "../identity/api-keys.js";
import { registerBuiltinModels } from "../models/register-builtin.js";
import type { PayoutChain } from "../payouts/payout-chain.js";
import { type PayoutsProcess, runPayoutsJobs } from "../payouts/payouts-process.js";
import { graphqlRequest } from "./graphql-clients.js";
import { createTestDatabase, type TestDatabase, testRedisUrl, uniquePrefix } from "./test-database.js";

/**
 * An api in this test process, on its own database and Redis prefix, with the dispatcher off
 * (tasks stay QUEUED) and no cluster behind it: for tests of the GraphQL surface itself.
 */
export const TEST_JWT_SECRET = "test-secret-test-secret-test-secret!";
export const TEST_NODE_TOKEN_SECRET = "node-token-secret-for-tests";

export interface InProcessApi {
  url: string;
  api: ApiProcess;
  /** The payouts process's jobs, when started with a payoutChain (payouts/payouts-process.ts). */
  payouts: PayoutsProcess | undefined;
  orm: MikroORM;
  db: TestDatabase;
  /** SQL statements the api ran since the last reset. */
  queries: string[];
  account(name: string, role: Role, scopes?: string[]): Promise<{ id: string; key: string }>;
  /** A client account given 10 NEURO through the faucet mutation, as a client would: its key. */
  fundedClient(name: string): Promise<string>;
  stop(): Promise<void>;
}

export async function startInProcessApi(
  overrides: Record<string, unknown> = {},
  extras: Omit<ApiProcessExtras, "orm" | "chain"> & { payoutChain?: PayoutChain } = {},
): Promise<InProcessApi> {
  const { payoutChain, ...apiExtras } = extras;
  const db = await createTestDatabase();
  const orm = await openOrm(db.url);
  await migrate(orm);
  await registerBuiltinModels(orm.em.fork());
  const queries: string[] = [];
  const config = parseApiConfig({
    databaseUrl: db.url,
    redisUrl: testRedisUrl(),
    redisPrefix: uniquePrefix("api"),
    headAddress: "127.0.0.1:1",
    port: 0,
    dispatcher: false,
    jwtSecret: TEST_JWT_SECRET,
    nodeTokenSecret: TEST_NODE_TOKEN_SECRET,
    faucet: true,
    ...overrides,
  });
  const chain = payoutChain && {
    rpc: payoutChain.rpc,
    treasury: payoutChain.treasury,
    mint: payoutChain.mint,
    hotWallet: payoutChain.wallet.publicKey,
  };
  const api = await startApiProcess(config, () => {}, {
    ...apiExtras,
    ...(chain ? { chain } : {}),
    orm: {
      onQuery: (sql) => {
        if (sql.includes("[query]")) queries.push(sql);
      },
    },
  });
  // With a chain: the payouts process beside it, on the same database and Redis prefix.
  const payouts = payoutChain && (await runPayoutsJobs(config, payoutChain, () => {}));
  const account: InProcessApi["account"] = async (name, role, scopes = []) => {
    const em = orm.em.fork();
    const created = em.create(Account, { name, role });
    const { key } = issueApiKey(em, created, "test", scopes);
    await em.persist(created).flush();
    return { id: created.id, key };
  };
  return {
    url: api.server.url,
    api,
    payouts,
    orm,
    db,
    queries,
    account,
    async fundedClient(name) {
      const { key } = await account(name, Role.CLIENT);
      const funded = await graphqlRequest(
        api.server.url,
        key,
        `mutation { faucet(amount: "10") { available } }`,
      );
      if (funded.errors) throw new Error(`the faucet refused ${name}: ${JSON.stringify(funded.errors)}`);
      return key;
    },
    async stop() {
      await payouts?.close();
      await api.close();
      await orm.close();
      await db.drop();
    },
  };
}
