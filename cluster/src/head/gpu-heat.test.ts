import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { GpuSample, NodeResources } from "@neurogrid/schema";
import { toDemand } from "../scheduling/demand.js";
import { GpuHeatGuard } from "./gpu-heat.js";
import { ResourceTable } from "./resource-table.js";

const NODE: NodeResources = {
  cpus: 8,
  memoryMb: 8192,
  gpus: [
    { index: 0, uuid: "GPU-a", name: "T4", memoryMb: 16_000 },
    { index: 1, uuid: "GPU-b", name: "T4", memoryMb: 16_000 },
  ],
  custom: {},
};

function sample(temps: (number | undefined)[]): { sampledAtMs: number; status: string; gpus: GpuSample[] } {
  const gpus = temps.map((t, index) => ({
    index,
    uuid: "",
    name: "T4",
    ...(t === undefined ? {} : { temperatureC: t }),
  }));
  return { sampledAtMs: 0, status: "ok", gpus };
}

function setup() {
  const resources = new ResourceTable();
  resources.addNode("n1", NODE, {});
  let changes = 0;
  resources.onChange(() => changes++);
  const guard = new GpuHeatGuard({ criticalTempC: 90, resources });
  return { resources, guard, changes: () => changes };
}

const oneGpu = toDemand({ cpus: 1, memoryMb: 0, gpus: 1, custom: {} });
const twoGpus = toDemand({ cpus: 1, memoryMb: 0, gpus: 2, custom: {} });
const half = toDemand({ cpus: 1, memoryMb: 0, gpus: 0.5, custom: {} });

describe("GpuHeatGuard", () => {
  it("a GPU at the critical temperature takes no new actors; others still do", () => {
    const { resources, guard } = setup();
    guard.update("n1", sample([60, 90]));
    const placed = resources.place("a", oneGpu, undefined, undefined);
    assert.ok("placed" in placed);
    assert.deepEqual(placed.placed.gpuIds, [0]);
    const pending = resources.place("b", oneGpu, undefined, undefined);
    assert.ok("reason" in pending);
    assert.match(pending.reason, /GPU 1 is too hot: 90 °C >= critical 90 °C/);
    const fraction = resources.place("c", half, undefined, undefined);
    assert.ok("reason" in fraction);
    assert.deepEqual([...resources.unschedulableGpus("n1").keys()], [1]);
  });

  it("keeps running actors and recovers only below threshold - 5 (hysteresis), then retries waiters", () => {
    const { resources, guard, changes } = setup();
    const first = resources.place("running", half, undefined, undefined);
    assert.ok("placed" in first);
    guard.update("n1", sample([92, 40]));
    assert.ok("placed" in resources.place("other", half, undefined, undefined)); // on GPU 1
    assert.ok("reason" in resources.place("two", twoGpus, undefined, undefined));
    resources.release("other");
    const before = changes();
    guard.update("n1", sample([88, 40]));
    guard.update("n1", sample([85, 40]));
    guard.update("n1", sample([undefined, 40])); // N/A: the last state holds
    const still = resources.place("two", twoGpus, undefined, undefined);
    assert.ok("reason" in still);
    assert.match(still.reason, /GPU 0 is cooling down: 85 °C, usable below 85 °C/);
    assert.equal(changes(), before);
    resources.release("running");
    const released = changes();
    guard.update("n1", sample([84, 40]));
    assert.equal(changes(), released + 1);
    assert.equal(resources.unschedulableGpus("n1").size, 0);
    assert.ok("placed" in resources.place("two", twoGpus, undefined, undefined));
  });

  it("a node that joins again starts with every GPU usable", () => {
    const { resources, guard } = setup();
    guard.update("n1", sample([95, 95]));
    resources.removeNode("n1");
    resources.addNode("n1", NODE, {});
    guard.forget("n1");
    assert.ok("placed" in resources.place("two", twoGpus, undefined, undefined));
    guard.update("n1", sample([95, 40]));
    assert.deepEqual([...resources.unschedulableGpus("n1").keys()], [0]);
  });
});
