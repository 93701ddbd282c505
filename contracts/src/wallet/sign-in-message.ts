/**
 * Sign-In With Solana challenge messages: the text a wallet signs to prove it owns an address.
 * The format follows SIWS (itself after EIP-4361 / CAIP-122), so wallets show it as a sign-in:
 *
 *   {domain} wants you to sign in with your Solana account:
 *   {address}
 *
 *   {statement}                      (optional, one line)
 *
 *   URI: {uri}                       (optional)
 *   Version: 1
 *   Chain ID: {chainId}              (optional: mainnet, devnet, ...)
 *   Nonce: {nonce}
 *   Issued At: {ISO 8601}
 *   Expiration Time: {ISO 8601}
 *
 * `buildSignInMessage` and `parseSignInMessage` are exact inverses; parsing accepts only this
 * layout (a message with anything else is WALLET_PROOF_MALFORMED), so what was verified is what
 * the server issued, field for field.
 */
import { randomBytes } from "node:crypto";
import { ContractsError } from "../errors.js";
import { parseAddress } from "../solana/address.js";

export interface SignInFields {
  domain: string;
  address: string;
  statement?: string;
  uri?: string;
  chainId?: string;
  nonce: string;
  issuedAt: Date;
  expirationTime: Date;
}

const HEADER = " wants you to sign in with your Solana account:";
const NONCE_PATTERN = /^[A-Za-z0-9]{8,64}$/;
const DOMAIN_PATTERN = /^[A-Za-z0-9.-]+(?::\d{1,5})?$/;

/** A random alphanumeric nonce (22 base62 characters, ~131 bits). */
export function generateNonce(): string {
  const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
  let nonce = "";
  for (const byte of randomBytes(22)) nonce += alphabet[byte % 62];
  return nonce;
}

function malformed(why: string): ContractsError {
  return new ContractsError("WALLET_PROOF_MALFORMED", `not a valid sign-in message: ${why}`);
}

function oneLine(value: string, what: string): void {
  if (value.length === 0 || /[\r\n]/.test(value)) throw malformed(`${what} must be one non-empty line`);
}

export function buildSignInMessage(fields: SignInFields): string {
  if (!DOMAIN_PATTERN.test(fields.domain)) throw malformed(`bad domain ${JSON.stringify(fields.domain)}`);
  parseAddress(fields.address, "wallet address");
  if (!NONCE_PATTERN.test(fields.nonce)) throw malformed("nonce must be 8..64 letters and digits");
  if (fields.statement !== undefined) oneLine(fields.statement, "statement");
  if (fields.uri !== undefined) oneLine(fields.uri, "uri");
  if (fields.chainId !== undefined) oneLine(fields.chainId, "chain id");
  const lines = [`${fields.domain}${HEADER}`, fields.address, ""];
  if (fields.statement !== undefined) lines.push(fields.statement, "");
  if (fields.uri !== undefined) lines.push(`URI: ${fields.uri}`);
  lines.push("Version: 1");
  if (fields.chainId !== undefined) lines.push(`Chain ID: ${fields.chainId}`);
  lines.push(
    `Nonce: ${fields.nonce}`,
    `Issued At: ${fields.issuedAt.toISOString()}`,
    `Expiration Time: ${fields.expirationTime.toISOString()}`,
  );
  return lines.join("\n");
}

function parseTime(value: string, what: string): Date {
  const date = new Date(value);
  if (Number.isNaN(date.getTime()) || date.toISOString() !== value) throw malformed(`bad ${what}`);
  return date;
}

export function parseSignInMessage(message: string): SignInFields {
  if (typeof message !== "string" || message.length > 2048) throw malformed("not a string of sane length");
  const lines = message.split("\n");
  let i = 0;
  const next = (): string => {
    const line = lines[i++];
    if (line === undefined) throw malformed("message ends early");
    return line;
  };
  const first = next();
  if (!first.endsWith(HEADER)) throw malformed("missing sign-in header");
  const domain = first.slice(0, -HEADER.length);
  if (!DOMAIN_PATTERN.test(domain)) throw malformed("bad domain");
  const address = next();
  if (next() !== "") throw malformed("expected an empty line after the address");
  const fields: Partial<SignInFields> & { domain: string; address: string } = { domain, address };
  let line = next();
  if (!line.startsWith("URI: ") && line !== "Version: 1") {
    fields.statement = line;
    if (next() !== "") throw malformed("expected an empty line after the statement");
    line = next();
  }
  if (line.startsWith("URI: ")) {
    fields.uri = line.slice(5);
    line = next();
  }
  if (line !== "Version: 1") throw malformed("expected Version: 1");
  line = next();
  if (line.startsWith("Chain ID: ")) {
    fields.chainId = line.slice(10);
    line = next();
  }
  if (!line.startsWith("Nonce: ")) throw malformed("expected Nonce");
  fields.nonce = line.slice(7);
  line = next();
  if (!line.startsWith("Issued At: ")) throw malformed("expected Issued At");
  fields.issuedAt = parseTime(line.slice(11), "Issued At");
  line = next();
  if (!line.startsWith("Expiration Time: ")) throw malformed("expected Expiration Time");
  fields.expirationTime = parseTime(line.slice(17), "Expiration Time");
  if (i !== lines.length) throw malformed("unexpected text after Expiration Time");
  const parsed = fields as SignInFields;
  // Round trip: only the exact layout this module builds is accepted.
  if (buildSignInMessage(parsed) !== message) throw malformed("fields out of the expected form");
  return parsed;
}
