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

test("PostgreSQL or Redis out of reach is UNAVAILABLE with a delay to retry after, not an internal error", () => {
  const logged: string[] = [];
  const refused = Object.assign(new Error("connect ECONNREFUSED 127.0.0.1:5432"), { code: "ECONNREFUSED" });
  const shutdown = Object.assign(new Error("terminating connection due to administrator command"), {
    code: "57P01",
  });
  const wrapped = Object.assign(new Error("driver failed"), { name: "DriverException", previous: shutdown });
  for (const err of [refused, wrapped, new Error("Connection is closed.")]) {
    const out = formatError({ message: err.message }, wrap(err), (m) => logged.push(m));
    assert.equal(out.extensions?.code, "UNAVAILABLE", err.message);
    assert.equal(typeof out.extensions?.retryAfterMs, "number");
    assert.doesNotMatch(out.message, /5432|administrator/);
  }
  assert.equal(logged.length, 0);
  const bug = formatError({ message: "x" }, wrap(new Error("cannot read properties of undefined")), () => {});
  assert.equal(bug.extensions?.code, "INTERNAL_SERVER_ERROR", "a bug is still a bug");
});
