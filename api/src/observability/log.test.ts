/** The structured log never writes a secret: by field name, and by shape in free text. */
import assert from "node:assert/strict";
import { test } from "node:test";
import { createLog } from "./log.js";

const KEY = `ng_${"k".repeat(43)}`;
const REFRESH = `ngr_${"r".repeat(43)}`;
const JWT = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ4In0.c2lnbmF0dXJlLXNpZ25hdHVyZQ";
const HASH = "a".repeat(64);

function logged(...args: Parameters<ReturnType<typeof createLog>>): string {
  const lines: string[] = [];
  createLog((line) => lines.push(line))(...args);
  assert.equal(lines.length, 1);
  JSON.parse(lines[0] as string);
  return lines[0] as string;
}

test("fields that hold secrets are redacted by name, at any depth and in errors", () => {
  const err = Object.assign(new Error("insert failed"), { passwordHash: "scrypt$abc", detail: "ok" });
  const line = logged("login failed", err, {
    account: { name: "ada", password: "hunter2", keyHash: "deadbeef" },
    authorization: "whatever",
    refreshToken: "opaque",
    maxTokens: 16,
  });
  for (const secret of ["hunter2", "deadbeef", "whatever", "opaque", "scrypt$abc"]) {
    assert.ok(!line.includes(secret), `${secret} in ${line}`);
  }
  const entry = JSON.parse(line);
  assert.equal(entry.level, "error");
  assert.equal(entry.account.name, "ada", "other fields stay");
  assert.equal(entry.maxTokens, 16, "a count named like a token is not a secret");
  assert.equal(entry.err.detail, "ok");
});

test("keys, tokens, JWTs and hashes are redacted from messages and stacks", () => {
  const err = new Error(
    `select where key_hash = '${HASH}' for ${KEY} (Bearer ${JWT}) ${REFRESH} scrypt$1$2$salt$hash`,
  );
  const line = logged(`request with ${KEY}`, err);
  for (const secret of [KEY, REFRESH, JWT, HASH, "scrypt$1"]) assert.ok(!line.includes(secret), secret);
  assert.match(line, /\[redacted\]/);
});
