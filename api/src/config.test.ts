import assert from "node:assert/strict";
import { test } from "node:test";
import { apiConfigFrom } from "./cli/api-options.js";
import { parseApiConfig } from "./config.js";

const env = {
  DATABASE_URL: "postgres://x/db",
  REDIS_URL: "redis://y",
  NEUROGRID_HEAD_ADDRESS: "127.0.0.1:1",
  NEUROGRID_JWT_SECRET: "x".repeat(32),
};

test("configuration comes from flags over environment, with typed defaults", () => {
  const config = apiConfigFrom(
    { port: "4100" },
    { ...env, NEUROGRID_API_PORT: "9999", NEUROGRID_PLATFORM_FEE_BPS: "250" },
  );
  assert.equal(config.port, 4100);
  assert.equal(config.platformFeeBps, 250);
  assert.equal(config.host, "127.0.0.1");
  assert.equal(config.dispatcher, true);
});

test("a missing or invalid setting is refused with its name", () => {
  assert.throws(
    () => apiConfigFrom({}, { REDIS_URL: "redis://y", NEUROGRID_HEAD_ADDRESS: "h:1" }),
    /databaseUrl/,
  );
  assert.throws(() => apiConfigFrom({}, { ...env, NEUROGRID_PLATFORM_FEE_BPS: "20000" }), /platformFeeBps/);
  assert.throws(() => apiConfigFrom({}, { ...env, NEUROGRID_JWT_SECRET: "short" }), /jwtSecret/);
});

test("the public URL is an http(s) base URL, kept without a trailing slash", () => {
  const base = {
    databaseUrl: "postgres://x/db",
    redisUrl: "redis://y",
    headAddress: "h:1",
    jwtSecret: "x".repeat(32),
  };
  assert.equal(parseApiConfig(base).publicUrl, undefined);
  assert.equal(
    parseApiConfig({ ...base, publicUrl: "https://api.example.com/" }).publicUrl,
    "https://api.example.com",
  );
  assert.throws(() => parseApiConfig({ ...base, publicUrl: "ftp://api.example.com" }), /publicUrl/);
  assert.throws(() => parseApiConfig({ ...base, publicUrl: "api.example.com" }), /publicUrl/);
});

test("tuning settings have their defaults, and each its environment variable", () => {
  const defaults = apiConfigFrom({}, env);
  assert.equal(defaults.credentialCacheTtlMs, 60_000);
  assert.equal(defaults.payoutPollIntervalMs, 2_000);
  assert.equal(defaults.payoutSettleTimeoutMs, 120_000);
  const set = apiConfigFrom(
    {},
    {
      ...env,
      NEUROGRID_CREDENTIAL_CACHE_TTL_MS: "5000",
      NEUROGRID_PAYOUT_POLL_INTERVAL_MS: "500",
      NEUROGRID_PAYOUT_SETTLE_TIMEOUT_MS: "30000",
      NEUROGRID_ALERT_WEBHOOK_ATTEMPTS: "7",
      NEUROGRID_ALERT_WEBHOOK_BACKOFF_MS: "250",
      NEUROGRID_ALERT_WEBHOOK_TIMEOUT_MS: "2000",
    },
  );
  assert.deepEqual(
    [set.credentialCacheTtlMs, set.payoutPollIntervalMs, set.payoutSettleTimeoutMs],
    [5000, 500, 30_000],
  );
  assert.deepEqual(
    [set.alertWebhookAttempts, set.alertWebhookBackoffMs, set.alertWebhookTimeoutMs],
    [7, 250, 2000],
  );
});

test("settings that are fine alone but not together are refused: faucet or no domain with payouts", () => {
  const payouts = {
    ...env,
    SOLANA_RPC_URL: "https://api.devnet.solana.com",
    NEURO_MINT: "So11111111111111111111111111111111111111112",
    NEUROGRID_TREASURY_ADDRESS: "So11111111111111111111111111111111111111112",
    NEUROGRID_PUBLIC_DOMAIN: "neurogrid.example.com",
  };
  assert.equal(apiConfigFrom({}, payouts).publicDomain, "neurogrid.example.com");
  assert.throws(() => apiConfigFrom({}, { ...payouts, NEUROGRID_FAUCET: "1" }), /faucet: .*payouts/);
  const { NEUROGRID_PUBLIC_DOMAIN: _, ...noDomain } = payouts;
  assert.throws(() => apiConfigFrom({}, noDomain), /publicDomain: payouts need NEUROGRID_PUBLIC_DOMAIN/);
  assert.throws(
    () => apiConfigFrom({}, { ...payouts, NEUROGRID_PUBLIC_DOMAIN: "localhost" }),
    /publicDomain/,
  );
  assert.equal(
    apiConfigFrom({}, { ...env, NEUROGRID_FAUCET: "1" }).faucet,
    true,
    "no payouts: the faucet may be on",
  );
  assert.equal(apiConfigFrom({}, env).publicDomain, "localhost", "no payouts: localhost by default");
});

test("CORS origins: a comma-separated list of origins, anything else refused by name", () => {
  const base = {
    databaseUrl: "postgres://x/db",
    redisUrl: "redis://y",
    headAddress: "h:1",
    jwtSecret: "x".repeat(32),
  };
  assert.deepEqual(parseApiConfig(base).corsOrigins, []);
  assert.deepEqual(
    apiConfigFrom({}, { ...env, NEUROGRID_CORS_ORIGINS: " https://a.example.com ,http://127.0.0.1:5173/" })
      .corsOrigins,
    ["https://a.example.com", "http://127.0.0.1:5173"],
  );
  assert.throws(() => parseApiConfig({ ...base, corsOrigins: "https://a.example.com/app" }), /corsOrigins/);
  assert.throws(() => parseApiConfig({ ...base, corsOrigins: "*" }), /corsOrigins/);
  assert.throws(() => parseApiConfig({ ...base, corsOrigins: "ftp://a.example.com" }), /corsOrigins/);
});
