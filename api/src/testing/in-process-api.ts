import type { MikroORM } from "@mikro-orm/postgresql";
import { type ApiProcess, type ApiProcessExtras, startApiProcess } from "../app.js";
import { parseApiConfig } from "../config.js";
import { Account, type Role } from "../db/entities/index.js";
import { migrate, openOrm } from "../db/orm.js";
import { issueApiKey } from "../identity/api-keys.js";
import { registerBuiltinModels } from "../models/register-builtin.js";
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
  orm: MikroORM;
  db: TestDatabase;
  /** SQL statements the api ran since the last reset. */
  queries: string[];
  account(name: string, role: Role, scopes?: string[]): Promise<{ id: string; key: string }>;
  stop(): Promise<void>;
}

export async function startInProcessApi(
  overrides: Record<string, unknown> = {},
  extras: Omit<ApiProcessExtras, "orm"> = {},
): Promise<InProcessApi> {
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
  const api = await startApiProcess(config, () => {}, {
    ...extras,
    orm: {
      onQuery: (sql) => {
        if (sql.includes("[query]")) queries.push(sql);
      },
    },
  });
  return {
    url: api.server.url,
    api,
    orm,
    db,
    queries,
    async account(name, role, scopes = []) {
      const em = orm.em.fork();
      const account = em.create(Account, { name, role });
      const { key } = issueApiKey(em, account, "test", scopes);
      await em.persist(account).flush();
      return { id: account.id, key };
    },
    async stop() {
      await api.close();
      await orm.close();
      await db.drop();
    },
  };
}
