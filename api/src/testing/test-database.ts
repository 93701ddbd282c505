import { randomBytes } from "node:crypto";
import pg from "pg";

/**
 * Each test file gets its own PostgreSQL database on the server named by TEST_DATABASE_URL or
 * DATABASE_URL (default: the local server, trust auth), dropped at the end.
 */
export interface TestDatabase {
  url: string;
  drop(): Promise<void>;
}

const baseDatabaseUrl = (env: NodeJS.ProcessEnv = process.env) =>
  env.TEST_DATABASE_URL ?? env.DATABASE_URL ?? "postgres://postgres@127.0.0.1:5432/postgres";

export const testRedisUrl = (env: NodeJS.ProcessEnv = process.env) =>
  env.REDIS_URL ?? "redis://127.0.0.1:6379";

export async function createTestDatabase(): Promise<TestDatabase> {
  const base = new URL(baseDatabaseUrl());
  const name = `ng_test_${randomBytes(6).toString("hex")}`;
  const admin = new pg.Client({ connectionString: base.toString() });
  await admin.connect();
  await admin.query(`create database ${name}`);
  await admin.end();
  const url = new URL(base.toString());
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    drop: async () => {
      const c = new pg.Client({ connectionString: base.toString() });
      await c.connect();
      await c.query(`drop database if exists ${name} with (force)`);
      await c.end();
    },
  };
}

export const uniquePrefix = (label: string) => `ngtest:${label}:${randomBytes(4).toString("hex")}`;
