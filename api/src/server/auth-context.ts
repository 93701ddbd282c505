import type { EntityManager } from "@mikro-orm/postgresql";
import type { Account } from "../db/entities/index.js";
import { accountForApiKey, apiKeyFromHeaders } from "../identity/api-keys.js";

/** Resolves the caller from HTTP headers or graphql-ws connection params (same header names). */
export async function resolveCaller(
  em: EntityManager,
  headers: Record<string, string | string[] | undefined>,
): Promise<{ account: Account | null; authError?: string }> {
  const key = apiKeyFromHeaders(headers);
  if (key === undefined) return { account: null };
  if (key === "")
    return { account: null, authError: "malformed Authorization header (expected Bearer <key>)" };
  const account = await accountForApiKey(em, key);
  return account ? { account } : { account: null, authError: "invalid or revoked API key" };
}

/** graphql-ws connection params → header-like record (keys lower-cased). */
export function paramsAsHeaders(params: Record<string, unknown> | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(params ?? {})) if (typeof v === "string") out[k.toLowerCase()] = v;
  return out;
}
