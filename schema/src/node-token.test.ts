import assert from "node:assert/strict";
import { test } from "node:test";
import { signNodeToken, verifyNodeToken } from "./node-token.js";

test("a node token names its node and verifies only with the same secret", () => {
  const token = signNodeToken("s3cret-s3cret-s3cret", "gpu-box-1");
  assert.equal(verifyNodeToken("s3cret-s3cret-s3cret", token), "gpu-box-1");
  assert.equal(verifyNodeToken("another-secret-here!", token), null);
});

test("a token cannot be moved to another node id", () => {
  const token = signNodeToken("k", "node-a");
  const [p, , sig] = token.split(".");
  const forged = `${p}.${Buffer.from("node-b").toString("base64url")}.${sig}`;
  assert.equal(verifyNodeToken("k", forged), null);
  assert.equal(verifyNodeToken("k", "garbage"), null);
});
