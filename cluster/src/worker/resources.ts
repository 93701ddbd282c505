/**
 * What this node offers the cluster: CPUs and memory from the OS unless config overrides them,
 * GPUs from nvidia-smi or the config's stand-in, custom resources from config.
 */
import { availableParallelism, totalmem } from "node:os";
import type { NodeResources } from "@neurogrid/schema";
import type { WorkerConfig } from "../config-worker.js";
import { detectNvidiaGpus, fakeGpus, type RunCommand } from "./gpus.js";

export async function discoverResources(config: WorkerConfig, run?: RunCommand): Promise<NodeResources> {
  const gpus =
    config.fakeGpus === undefined ? await detectNvidiaGpus(run) : fakeGpus(config.fakeGpus, config.nodeId);
  return {
    cpus: config.cpus ?? availableParallelism(),
    memoryMb: config.memoryMb ?? Math.floor(totalmem() / (1024 * 1024)),
    gpus,
    custom: { ...config.custom },
  };
}
