/** The leases' tick batch with a fake writer: one write per turn, after that turn's calls, in order. */
import assert from "node:assert/strict";
import { test } from "node:test";
import { TickBatch } from "./tick-batch.js";

test("ids added in one turn go out in one write, after what that turn scheduled to send at its end", async () => {
  const log: string[] = [];
  const batch = new TickBatch(async (ids) => {
    log.push(`write ${ids.join(",")}`);
  });
  const first = batch.add(["a"]);
  // What a started attempt does next in the same turn: its call frame leaves on setImmediate.
  setImmediate(() => log.push("call sent"));
  const second = batch.add(["b", "c"]);
  await Promise.all([first, second]);
  assert.deepEqual(log, ["call sent", "write a,b,c"]);
});

test("a release is written after every take asked before it, though a turn apart", async () => {
  const log: string[] = [];
  const takes = new TickBatch(async (ids) => {
    log.push(`take ${ids.join(",")}`);
  });
  const releases = new TickBatch(async (ids) => {
    log.push(`release ${ids.join(",")}`);
  });
  const taken = takes.add(["t1"]);
  await new Promise<void>((resolve) => setImmediate(resolve));
  // A turn later: the take has not been written yet; the release asked now must follow it (a
  // take asked meanwhile still joins the pending batch).
  assert.deepEqual(log, []);
  const released = releases.add(["t1"]);
  const joined = takes.add(["t2"]);
  await Promise.all([taken, released, joined]);
  assert.deepEqual(log, ["take t1,t2", "release t1"]);
});
