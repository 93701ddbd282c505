import assert from "node:assert/strict";
import { test } from "node:test";
import { mlpClassifierManifest } from "@neurogrid/cluster/models";
import { DEFAULT_MAX_ROWS } from "@neurogrid/schema";
import { ApiError } from "../errors.js";
import { taskInputOf } from "./task-input.js";

const model = { name: "mlp-classifier", version: "1", manifest: mlpClassifierManifest };
const rows = (n: number) => ({
  features: Array.from({ length: n }, () => Array.from({ length: 16 }, () => 0.5)),
});

test("one task's price buys at most the manifest's rows: more is BAD_USER_INPUT, naming the limit", () => {
  assert.equal(mlpClassifierManifest.maxRows, undefined, "the default applies");
  assert.doesNotThrow(() => taskInputOf(model, rows(DEFAULT_MAX_ROWS)));
  assert.throws(
    () => taskInputOf(model, rows(12_000)),
    (err: unknown) =>
      err instanceof ApiError &&
      err.code === "BAD_USER_INPUT" &&
      err.message.includes(`at most ${DEFAULT_MAX_ROWS}`),
  );
  const narrow = { ...model, manifest: { ...mlpClassifierManifest, maxRows: 2 } };
  assert.doesNotThrow(() => taskInputOf(narrow, rows(2)));
  assert.throws(() => taskInputOf(narrow, rows(3)), /has 3 rows; one task takes at most 2/);
});
