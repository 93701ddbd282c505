/** Group commit with fake writers: grouping, and a failed group falling back to one by one. */
import assert from "node:assert/strict";
import { test } from "node:test";
import { GroupCommit } from "./group-commit.js";

test("items arriving while a write is in flight are written together; a lone one alone", async () => {
  const groups: number[][] = [];
  let release: () => void = () => {};
  const gate = new Promise<void>((r) => {
    release = r;
  });
  const gc = new GroupCommit<number, number>({
    one: async (x) => {
      groups.push([x]);
      await gate;
      return x * 2;
    },
    many: async (xs) => {
      groups.push(xs);
      return xs.map((x) => x * 2);
    },
    maxBatch: 3,
    maxInFlight: 1,
  });
  const first = gc.submit(1);
  await new Promise((r) => setImmediate(r));
  const rest = [2, 3, 4, 5].map((x) => gc.submit(x));
  release();
  assert.deepEqual(await Promise.all([first, ...rest]), [2, 4, 6, 8, 10]);
  assert.deepEqual(groups, [[1], [2, 3, 4], [5]]);
});

test("a failed group is written again one by one: only the bad item fails", async () => {
  const gc = new GroupCommit<number, number>({
    one: async (x) => {
      if (x === 3) throw new Error("bad 3");
      return x;
    },
    many: async () => {
      throw new Error("the group failed");
    },
    maxBatch: 10,
    maxInFlight: 1,
  });
  const results = await Promise.allSettled([1, 2, 3, 4].map((x) => gc.submit(x)));
  assert.deepEqual(
    results.map((r) => (r.status === "fulfilled" ? r.value : (r.reason as Error).message)),
    [1, 2, "bad 3", 4],
  );
});
