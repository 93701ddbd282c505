import { createHmac, randomBytes, timingSafeEqual } from "node:crypto";

/**
 * How an alert webhook's receiver knows a POST came from NeuroGrid: the header
 * `x-neurogrid-signature: sha256=<hex>` is HMAC-SHA256, keyed with the webhook's secret, of
 * `<x-neurogrid-timestamp>.<raw body>`; the timestamp (Unix seconds) lets a receiver refuse replays.
 */
export const SIGNATURE_HEADER = "x-neurogrid-signature";
export const TIMESTAMP_HEADER = "x-neurogrid-timestamp";
const SECRET_BYTES = 32;

export function newWebhookSecret(): string {
  return `whsec_${randomBytes(SECRET_BYTES).toString("base64url")}`;
}

export function signWebhookBody(secret: string, timestamp: string, body: string): string {
  return `sha256=${createHmac("sha256", secret).update(`${timestamp}.${body}`).digest("hex")}`;
}

/** What a receiver runs: whether the signature is the one this secret makes (constant time). */
export function webhookSignatureValid(
  secret: string,
  timestamp: string,
  body: string,
  signature: string,
): boolean {
  const expected = Buffer.from(signWebhookBody(secret, timestamp, body));
  const given = Buffer.from(signature);
  return expected.length === given.length && timingSafeEqual(expected, given);
}
