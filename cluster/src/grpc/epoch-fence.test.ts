import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { ClusterError } from "../errors.js";
import { EpochBook, isStaleCall, staleAnswer, staleCall } from "./epoch-fence.js";

describe("the epoch rules", () => {
  it("at the actor: refuses a call meant for another epoch with FAILED_PRECONDITION, takes its own", () => {
    assert.equal(staleCall(3, 3), undefined);
    const older = staleCall(3, 2);
    assert.equal(older?.code, "FAILED_PRECONDITION");
    assert.match(older?.message ?? "", /stale epoch.*epoch 2.*epoch 3/);
    assert.equal(isStaleCall(older), true);
    assert.equal(
      staleCall(3, 4)?.code,
      "FAILED_PRECONDITION",
      "a newer epoch is not this incarnation either",
    );
    assert.equal(staleCall(3, 0), undefined, "a caller that names no epoch is not checked");
    assert.equal(staleCall(0, 2), undefined, "an actor started without an epoch checks nothing");
  });

  it("at the caller: refuses an answer from another epoch than the one called, or older than the newest known", () => {
    assert.equal(staleAnswer(2, 2, 2), undefined);
    assert.equal(staleAnswer(2, 2, 0), undefined);
    const other = staleAnswer(2, 1, 2);
    assert.equal(other?.code, "UNAVAILABLE");
    assert.match(other?.message ?? "", /stale epoch/);
    assert.equal(staleAnswer(2, 0, 2)?.code, "UNAVAILABLE", "an answer without an epoch to a fenced call");
    const replaced = staleAnswer(2, 2, 3);
    assert.equal(replaced?.code, "UNAVAILABLE", "the head started epoch 3 while the call was in flight");
    assert.match(replaced?.message ?? "", /since started epoch 3/);
    assert.equal(staleAnswer(0, 7, 9), undefined, "a call that named no epoch is not checked");
    assert.equal(
      isStaleCall(replaced),
      false,
      "a refused answer is retried as UNAVAILABLE, not as a stale call",
    );
    assert.equal(isStaleCall(new ClusterError("FAILED_PRECONDITION", "something else")), false);
  });

  it("remembers the newest epoch heard of per actor, never going back", () => {
    const book = new EpochBook();
    assert.equal(book.newest("a"), 0);
    book.learn("a", 2);
    book.learn("a", 1);
    book.learn("a", undefined);
    book.learn("b", 5);
    assert.deepEqual([book.newest("a"), book.newest("b")], [2, 5]);
  });
});
