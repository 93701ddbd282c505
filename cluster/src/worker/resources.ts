/**
 * What this node offers the cluster: CPUs and memory from the OS unless config overrides them,
 * GPUs from nvidia-smi or the config's stand-in (declared GPUs, or the first snapshot of a
 * telemetry replay), each offering at most the config's maxVramMb, custom resources from config.
 */
import { availableParallelism, totalmem } from "node:os";
import type { GpuSample, NodeResources } from "@neurogrid/schema";
import type { WorkerConfig } from "../config-worker.js";
import { detectNvidiaGpus, fakeGpus, type RunCommand } from "./gpus.js";

export async function discoverResources(
  config: WorkerConfig,
  run?: RunCommand,
  replayed?: readonly GpuSample[],
): Promise<NodeResources> {
  const gpus =
    config.fakeGpus !== undefined
      ? fakeGpus(config.fakeGpus, config.nodeId)
      : replayed !== undefined
        ? replayed.map((g) => ({
            index: g.index,
            uuid: g.uuid,
            name: g.name,
            memoryMb: g.memoryTotalMb ?? 0,
          }))
        : await detectNvidiaGpus(run);
  const cap = config.maxVramMb;
  return {
    cpus: config.cpus ?? availableParallelism(),
    memoryMb: config.memoryMb ?? Math.floor(totalmem() / (1024 * 1024)),
    gpus: cap === undefined ? gpus : gpus.map((gpu) => ({ ...gpu, memoryMb: Math.min(gpu.memoryMb, cap) })),
    custom: { ...config.custom },
  };
}
