import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { status } from "@grpc/grpc-js";
import { ClusterError, type ClusterErrorCode } from "../errors.js";
import { fromServiceError, toServiceError } from "./status.js";

const CODES: ClusterErrorCode[] = [
  "INVALID_ARGUMENT",
  "NOT_FOUND",
  "UNIMPLEMENTED",
  "UNAVAILABLE",
  "RESOURCES_UNAVAILABLE",
  "DEADLINE_EXCEEDED",
  "CANCELLED",
  "UNAUTHENTICATED",
  "PERMISSION_DENIED",
  "INTERNAL",
];

describe("gRPC status edge", () => {
  it("round-trips every ClusterError code", () => {
    for (const code of CODES) {
      const back = fromServiceError(toServiceError(new ClusterError(code, `boom ${code}`)));
      assert.equal(back.code, code);
      assert.equal(back.message, `boom ${code}`);
    }
  });

  it("sends anything else as INTERNAL with its message", () => {
    const sent = toServiceError(new TypeError("oops"));
    assert.equal(sent.code, status.INTERNAL);
    assert.equal(sent.details, "oops");
  });

  it("reads an unmapped gRPC status as INTERNAL", () => {
    const err = Object.assign(new Error("x"), {
      code: status.DATA_LOSS,
      details: "lost",
      metadata: undefined,
    });
    assert.deepEqual([fromServiceError(err).code, fromServiceError(err).message], ["INTERNAL", "lost"]);
  });
});
