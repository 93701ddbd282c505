import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { NodeResources, ResourceRequest } from "@neurogrid/schema";
import { isClusterError } from "../errors.js";
import { availableResources } from "./node-resources.js";
import { type SchedulableNode, schedule } from "./scheduler.js";

function resources(
  cpus: number,
  memoryMb: number,
  gpus = 0,
  custom: Record<string, number> = {},
): NodeResources {
  return {
    cpus,
    memoryMb,
    gpus: Array.from({ length: gpus }, (_, index) => ({
      index,
      uuid: `gpu-${index}`,
      name: "Test GPU",
      memoryMb: 1,
    })),
    custom,
  };
}

function node(
  nodeId: string,
  total: NodeResources,
  used: Partial<ResourceRequest> & { gpuIds?: number[] } = {},
) {
  const available = availableResources(total, [
    {
      cpus: used.cpus ?? 0,
      memoryMb: used.memoryMb ?? 0,
      gpuIds: used.gpuIds ?? [],
      custom: used.custom ?? {},
    },
  ]);
  return { nodeId, total, available } satisfies SchedulableNode;
}

function request(r: Partial<ResourceRequest>): ResourceRequest {
  return { cpus: 0, memoryMb: 0, gpus: 0, custom: {}, ...r };
}

describe("schedule", () => {
  it("places a request on a node whose free resources fit", () => {
    const placement = schedule(request({ cpus: 2, memoryMb: 512 }), [
      node("small", resources(1, 4096)),
      node("big", resources(8, 4096)),
    ]);
    assert.deepEqual(placement, { nodeId: "big", gpuIds: [] });
  });

  it("assigns specific free GPU indices, lowest first", () => {
    const total = resources(8, 8192, 4);
    const placement = schedule(request({ gpus: 2 }), [node("g", total, { gpuIds: [0, 2] })]);
    assert.deepEqual(placement, { nodeId: "g", gpuIds: [1, 3] });
  });

  it("checks custom resources", () => {
    const nodes = [node("plain", resources(8, 8192)), node("special", resources(8, 8192, 0, { tpu: 2 }))];
    assert.equal(schedule(request({ custom: { tpu: 1 } }), nodes).nodeId, "special");
    assert.throws(() => schedule(request({ custom: { tpu: 3 } }), nodes), /tpu 2 free < 3/);
  });

  it("fails with RESOURCES_UNAVAILABLE and says why each node did not fit", () => {
    const nodes = [node("a", resources(4, 1024, 2)), node("b", resources(1, 1024))];
    assert.throws(
      () => schedule(request({ cpus: 2, gpus: 4 }), nodes),
      (err: unknown) =>
        isClusterError(err) &&
        err.code === "RESOURCES_UNAVAILABLE" &&
        err.message.includes("a: gpus 2 free < 4") &&
        err.message.includes("b: cpus 1 free < 2, gpus 0 free < 4"),
    );
  });

  it("fails with RESOURCES_UNAVAILABLE when there are no live nodes", () => {
    assert.throws(() => schedule(request({}), []), {
      code: "RESOURCES_UNAVAILABLE",
      message: /no live nodes/,
    });
  });

  it("prefers the least loaded node", () => {
    const nodes = [
      node("busy", resources(4, 4096), { cpus: 3, memoryMb: 1024 }),
      node("idle", resources(4, 4096), { cpus: 1 }),
      node("half", resources(4, 4096), { cpus: 2, memoryMb: 2048 }),
    ];
    assert.equal(schedule(request({ cpus: 1 }), nodes).nodeId, "idle");
  });

  it("keeps GPU nodes for GPU requests when a CPU-only node fits", () => {
    const nodes = [node("gpu", resources(64, 65536, 2)), node("cpu", resources(4, 4096), { cpus: 3 })];
    assert.equal(schedule(request({ cpus: 1 }), nodes).nodeId, "cpu");
    assert.equal(schedule(request({ cpus: 1, gpus: 1 }), nodes).nodeId, "gpu");
  });

  it("breaks ties by node id", () => {
    const nodes = [node("n2", resources(4, 4096)), node("n1", resources(4, 4096))];
    assert.equal(schedule(request({ cpus: 1 }), nodes).nodeId, "n1");
  });
});
