import assert from "node:assert/strict";
import { test } from "node:test";
import { checkNodeToken, signNodeToken, verifyNodeToken } from "./node-token.js";

test("a node token names its node and verifies only with the same secret", () => {
  const token = signNodeToken("s3cret-s3cret-s3cret", "gpu-box-1");
  assert.equal(verifyNodeToken("s3cret-s3cret-s3cret", token), "gpu-box-1");
  assert.equal(verifyNodeToken("another-secret-here!", token), null);
});

test("a token cannot be moved to another node id", () => {
  const token = signNodeToken("k", "node-a");
  const [p, , expiry, sig] = token.split(".");
  const forged = `${p}.${Buffer.from("node-b").toString("base64url")}.${expiry}.${sig}`;
  assert.equal(verifyNodeToken("k", forged), null);
  assert.equal(verifyNodeToken("k", "garbage"), null);
});

test("a node token is refused once past its expiry, and its expiry cannot be moved", () => {
  const at = new Date("2026-12-06T00:00:00Z");
  const token = signNodeToken("k", "node-a", at);
  assert.equal(verifyNodeToken("k", token, new Date(at.getTime() - 1000)), "node-a");
  assert.equal(verifyNodeToken("k", token, at), null);
  assert.deepEqual(checkNodeToken("k", token, at), {
    ok: false,
    reason: "expired",
    message: "the node token expired at 2026-12-06T00:00:00.000Z",
  });
  const [p, id, expiry, sig] = token.split(".");
  const later = `${p}.${id}.${Number(expiry) + 86_400}.${sig}`;
  assert.equal(checkNodeToken("k", later, new Date(at.getTime() - 1000)).ok, false);
});
