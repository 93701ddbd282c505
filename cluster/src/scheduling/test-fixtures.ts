/** Test support for the scheduling module: node shapes and requests in one line. */
import type { NodeResources, ResourceRequest } from "@neurogrid/schema";

/** A node with `gpus` GPUs of `vramMb` each. */
export function shape(
  cpus: number,
  memoryMb: number,
  gpus = 0,
  vramMb = 16_384,
  custom: Record<string, number> = {},
): NodeResources {
  return {
    cpus,
    memoryMb,
    gpus: Array.from({ length: gpus }, (_, index) => ({
      index,
      uuid: `gpu-${index}`,
      name: "Test GPU",
      memoryMb: vramMb,
    })),
    custom,
  };
}

export function req(r: Partial<ResourceRequest>): ResourceRequest {
  return { cpus: 0, memoryMb: 0, gpus: 0, custom: {}, ...r };
}
