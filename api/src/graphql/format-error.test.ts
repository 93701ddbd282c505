import assert from "node:assert/strict";
import { test } from "node:test";
import { GraphQLError } from "graphql";
import { ApiError } from "../errors.js";
import { formatError } from "./format-error.js";

const wrap = (original: Error) => new GraphQLError(original.message, { originalError: original });

test("an ApiError keeps its code and message", () => {
  const logged: string[] = [];
  const out = formatError(
    { message: "x" },
    wrap(new ApiError("INSUFFICIENT_FUNDS", "too poor", { price: "5" })),
    (m) => logged.push(m),
  );
  assert.equal(out.extensions?.code, "INSUFFICIENT_FUNDS");
  assert.equal(out.extensions?.price, "5");
  assert.equal(out.message, "too poor");
  assert.equal(logged.length, 0);
});

test("an unexpected error hides its message and is logged with a request id", () => {
  const logged: string[] = [];
  const out = formatError(
    { message: 'relation "tasks" does not exist', extensions: { code: "INTERNAL_SERVER_ERROR" } },
    wrap(new Error('relation "tasks" does not exist')),
    (m) => logged.push(m),
  );
  assert.equal(out.extensions?.code, "INTERNAL_SERVER_ERROR");
  assert.doesNotMatch(out.message, /relation|tasks/);
  assert.equal(logged.length, 1);
  assert.ok(logged[0]?.includes(String(out.extensions?.requestId)));
});

test("GraphQL's own errors keep their codes", () => {
  const out = formatError(
    { message: "bad", extensions: { code: "GRAPHQL_VALIDATION_FAILED" } },
    new Error("bad"),
    () => {},
  );
  assert.equal(out.extensions?.code, "GRAPHQL_VALIDATION_FAILED");
});
