import assert from "node:assert/strict";
import { test } from "node:test";
import { apiKeyFromHeaders, hashApiKey } from "./api-keys.js";

test("the key is read from Authorization: Bearer or x-api-key", () => {
  assert.equal(apiKeyFromHeaders({ authorization: "Bearer ng_abc" }), "ng_abc");
  assert.equal(apiKeyFromHeaders({ authorization: "bearer   ng_abc  " }), "ng_abc");
  assert.equal(apiKeyFromHeaders({ "x-api-key": " ng_xyz " }), "ng_xyz");
  assert.equal(apiKeyFromHeaders({}), undefined);
});

test("a malformed Authorization header is an empty key, not a missing one", () => {
  assert.equal(apiKeyFromHeaders({ authorization: "Basic dXNlcjpwYXNz" }), "");
  assert.equal(apiKeyFromHeaders({ authorization: "Bearer" }), "");
});

test("keys are stored as SHA-256 hex", () => {
  assert.equal(hashApiKey("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
});
