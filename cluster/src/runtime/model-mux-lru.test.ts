/**
 * The mux's resident set with fake models whose calls the test holds open: least recently used
 * out first, never a model with a call in flight (the set stays over its limit and is trimmed
 * when the call ends), shared loads, forgotten failures, and a byte limit.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { ResidentModels } from "./model-mux-lru.js";

class FakeModel {
  closed = false;
  constructor(
    readonly id: string,
    readonly sizeBytes = 1,
  ) {}
  async close() {
    this.closed = true;
  }
}

function deferred() {
  let resolve!: () => void;
  const promise = new Promise<void>((r) => {
    resolve = r;
  });
  return { promise, resolve };
}

function harness(limits: { maxModels?: number; maxBytes?: number }, sizes: Record<string, number> = {}) {
  const released: string[] = [];
  const loads: string[] = [];
  const models = new Map<string, FakeModel>();
  const set = new ResidentModels<FakeModel>(limits, (id) => released.push(id));
  const load = (id: string) => async () => {
    loads.push(id);
    const model = new FakeModel(id, sizes[id] ?? 1);
    models.set(id, model);
    return model;
  };
  const use = (id: string, hold?: Promise<void>) =>
    set.use(id, load(id), async (m) => {
      await hold;
      return m.id;
    });
  return { set, use, released, loads, models };
}

describe("model mux resident set", () => {
  it("releases the least recently used model when a third arrives, and loads each once while resident", async () => {
    const { set, use, released, loads, models } = harness({ maxModels: 2 });
    await use("a");
    await use("b");
    await use("a");
    assert.deepEqual(set.ids(), ["b", "a"], "least recently used first");
    await use("c");
    assert.deepEqual(released, ["b"]);
    assert.equal(models.get("b")?.closed, true);
    assert.deepEqual(set.ids(), ["a", "c"]);
    await use("b");
    assert.deepEqual(released, ["b", "a"]);
    assert.deepEqual(set.ids(), ["c", "b"]);
    assert.deepEqual(loads, ["a", "b", "c", "b"]);
    assert.deepEqual(set.stats, { loads: 4, evictions: 2, residentBytes: 2 });
  });

  it("never releases a model with a call in flight; trims when that call ends", async () => {
    const { set, use, released, models } = harness({ maxModels: 2 });
    const held = deferred();
    const slow = use("a", held.promise);
    await use("b");
    await use("c");
    assert.deepEqual(released, ["b"], "a is older but busy: b goes instead");
    assert.equal(models.get("a")?.closed, false);
    const again = deferred();
    const busyC = use("c", again.promise);
    await use("d");
    assert.deepEqual(set.ids(), ["a", "c", "d"], "both others busy: over the limit for now");
    assert.deepEqual(released, ["b"]);
    held.resolve();
    assert.equal(await slow, "a");
    await new Promise((r) => setImmediate(r));
    assert.deepEqual(released, ["b", "a"], "a goes as soon as its call ends");
    assert.deepEqual(set.ids(), ["c", "d"]);
    again.resolve();
    assert.equal(await busyC, "c");
    assert.equal(models.get("c")?.closed, false);
  });

  it("shares one load among concurrent calls and forgets a failed load", async () => {
    const set = new ResidentModels<FakeModel>({ maxModels: 2 });
    let loads = 0;
    const load = async () => {
      loads += 1;
      await new Promise((r) => setTimeout(r, 10));
      return new FakeModel("x");
    };
    const results = await Promise.all(Array.from({ length: 5 }, () => set.use("x", load, async (m) => m.id)));
    assert.deepEqual(results, ["x", "x", "x", "x", "x"]);
    assert.equal(loads, 1);
    const failing = async (): Promise<FakeModel> => {
      throw new Error("bad bytes");
    };
    await assert.rejects(
      set.use("y", failing, async () => "never"),
      /bad bytes/,
    );
    assert.deepEqual(set.ids(), ["x"]);
    assert.equal(
      await set.use(
        "y",
        async () => new FakeModel("y"),
        async (m) => m.id,
      ),
      "y",
    );
  });

  it("keeps loaded sizes under maxBytes, serving a model larger than the limit alone", async () => {
    const { set, use, released } = harness({ maxBytes: 100 }, { a: 40, b: 40, c: 40, huge: 500 });
    await use("a");
    await use("b");
    await use("c");
    assert.deepEqual(released, ["a"]);
    assert.deepEqual(set.ids(), ["b", "c"]);
    assert.equal(await use("huge"), "huge");
    assert.deepEqual(set.ids(), ["huge"]);
    assert.equal(set.stats.residentBytes, 500);
  });

  it("close releases every model", async () => {
    const { set, use, models } = harness({ maxModels: 3 });
    await use("a");
    await use("b");
    await set.close();
    assert.deepEqual(
      [...models.values()].map((m) => m.closed),
      [true, true],
    );
    assert.deepEqual(set.ids(), []);
  });
});
