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

export function issueApiKey(em: EntityManager, account: Account, label = ""): IssuedApiKey {
  const key = `ng_${randomBytes(32).toString("base64url")}`;
  const prefix = key.slice(0, 10);
  const record = em.create(ApiKey, { account, prefix, keyHash: hashApiKey(key), label });
  em.persist(record);
  return { key, prefix, record };
}

/** The account a key belongs to, or null for an unknown or revoked key. */
export async function accountForApiKey(em: EntityManager, key: string): Promise<Account | null> {
  const record = await em.findOne(
    ApiKey,
    { keyHash: hashApiKey(key), revokedAt: null },
    { populate: ["account"] },
  );
  return record?.account ?? null;
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
