/**
 * The api's structured log: one JSON object per line (time, level, msg, fields, err), with
 * secrets taken out before anything is written, by field and by shape:
 *
 * - by field: any field (in `fields`, nested, or an error's own properties) whose name says it
 *   holds a secret (password, hash, token, key, secret, authorization, cookie, signature, …) is
 *   written as "[redacted]";
 * - by shape, in free text (the message, an error's message and stack): API keys (`ng_…`),
 *   refresh tokens (`ngr_…`), artifact and node tokens (`nga.…`, `ngn.…`), JWTs, `Bearer …`
 *   values, scrypt hashes and 64-hex-digit digests (what API keys and refresh tokens are stored
 *   as) become "[redacted]".
 *
 * Statements reach the log without their values in the first place (db/orm.ts); this is the
 * second line, for whatever else an error may quote.
 */
export type Log = (msg: string, err?: unknown, fields?: Record<string, unknown>) => void;

/** Names of fields that hold secrets: "password", "passwordHash", "refreshToken", "keyHash", "apiKey"… */
const SECRET_FIELD =
  /password|secret|authori[sz]ation|cookie|signature|credential|mnemonic|private|jwt|(token|hash|key)$/i;

const SECRET_TEXT: RegExp[] = [
  /\beyJ[\w-]+\.[\w-]+\.[\w-]+/g, // a JWT
  /\bBearer\s+\S+/gi,
  /\bng[ra]?_[\w-]{16,}/g, // API keys (ng_), refresh tokens (ngr_)
  /\bng[an]\.[\w.-]+/g, // artifact and node tokens
  /\bscrypt\$[^\s'",)]+/g,
  /\b[0-9a-f]{64}\b/gi, // sha256 digests: key and token hashes
];

const REDACTED = "[redacted]";

function redactText(text: string): string {
  let out = text;
  for (const pattern of SECRET_TEXT) out = out.replace(pattern, REDACTED);
  return out;
}

/** A copy of `value` safe to log: secret fields redacted, strings scrubbed, depth bounded. */
function redact(value: unknown, depth = 0): unknown {
  if (typeof value === "string") return redactText(value);
  if (typeof value === "bigint") return value.toString();
  if (value === null || typeof value !== "object") return value;
  if (depth > 6) return "[…]";
  if (value instanceof Error) return errorFields(value, depth);
  if (Array.isArray(value)) return value.slice(0, 50).map((v) => redact(v, depth + 1));
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) out[k] = SECRET_FIELD.test(k) ? REDACTED : redact(v, depth + 1);
  return out;
}

function errorFields(err: Error, depth: number): Record<string, unknown> {
  const out: Record<string, unknown> = { name: err.name, message: redactText(err.message) };
  for (const [k, v] of Object.entries(err)) {
    if (k === "message" || k === "stack" || v === undefined) continue;
    out[k] = SECRET_FIELD.test(k) ? REDACTED : redact(v, depth + 1);
  }
  if (err.stack) out.stack = redactText(err.stack);
  if (err.cause !== undefined) out.cause = redact(err.cause, depth + 1);
  return out;
}

/** A Log writing JSON lines to `write` (stderr by default). */
export function createLog(write: (line: string) => void = (line) => void process.stderr.write(line)): Log {
  return (msg, err, fields) => {
    const entry: Record<string, unknown> = {
      time: new Date().toISOString(),
      level: err === undefined ? "info" : "error",
      msg: redactText(msg),
      ...(fields ? (redact(fields) as Record<string, unknown>) : {}),
    };
    if (err !== undefined) entry.err = redact(err instanceof Error ? err : { value: String(err) });
    write(`${JSON.stringify(entry)}\n`);
  };
}
