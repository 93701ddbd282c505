/** A GPU as a node reports it (found with nvidia-smi, or declared by a stand-in config). */
export interface GpuInfo {
  index: number;
  uuid: string;
  name: string;
  memoryMb: number;
}

/** What a node has. */
export interface NodeResources {
  cpus: number;
  memoryMb: number;
  gpus: GpuInfo[];
  custom: Record<string, number>;
}

/** What an actor asks for. */
export interface ResourceRequest {
  cpus: number;
  memoryMb: number;
  /** Whole GPUs. */
  gpus: number;
  custom: Record<string, number>;
}

export const NO_RESOURCES: ResourceRequest = Object.freeze({
  cpus: 0,
  memoryMb: 0,
  gpus: 0,
  custom: {},
}) as ResourceRequest;
