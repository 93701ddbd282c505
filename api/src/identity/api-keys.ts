import { createHash, randomBytes } from "node:crypto";
import type { EntityManager } from "@mikro-orm/postgresql";
import { type Account, ApiKey } from "../db/entities/index.js";

/**
 * API keys: `ng_` + 32 random bytes (base64url). Shown once when created; only the SHA-256
 * hash is stored, with a short visible prefix so a user can tell keys apart.
 */
export interface IssuedApiKey {
  key: string;
  prefix: string;
  record: ApiKey;
}

export function hashApiKey(key: string): string {
  return createHash("sha256").update(key, "utf8").digest("hex");
}

export function issueApiKey(
  em: EntityManager,
  account: Account,
  label = "",
  scopes: string[] = [],
): IssuedApiKey {
  const key = `ng_${randomBytes(32).toString("base64url")}`;
  const prefix = key.slice(0, 10);
  const record = em.create(ApiKey, { account, prefix, keyHash: hashApiKey(key), label, scopes });
  em.persist(record);
  return { key, prefix, record };
}

/** The key's record (with its account), or null for an unknown or revoked key. */
export async function accountForApiKey(
  em: EntityManager,
  key: string,
): Promise<{ account: Account; scopes: string[] } | null> {
  const record = await em.findOne(
    ApiKey,
    { keyHash: hashApiKey(key), revokedAt: null },
    { populate: ["account"] },
  );
  if (!record) return null;
  // last_used_at, at most once a minute per key: cheap enough for every request.
  await em.execute(
    "update api_keys set last_used_at = now() where id = ? and (last_used_at is null or last_used_at < now() - interval '1 minute')",
    [record.id],
  );
  return { account: record.account, scopes: record.scopes };
}

/** Reads the key from `Authorization: Bearer <key>` or `x-api-key: <key>`. */
export function apiKeyFromHeaders(
  headers: Record<string, string | string[] | undefined>,
): string | undefined {
  const first = (v: string | string[] | undefined) => (Array.isArray(v) ? v[0] : v);
  const auth = first(headers.authorization ?? headers.Authorization);
  if (auth) {
    const match = /^Bearer\s+(\S+)\s*$/i.exec(auth);
    return match?.[1] ?? "";
  }
  const key = first(headers["x-api-key"]);
  return key === undefined ? undefined : key.trim();
}
