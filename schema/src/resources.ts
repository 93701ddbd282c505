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

/** What an actor (or a placement-group bundle) asks for. */
export interface ResourceRequest {
  /** Fractional CPUs (0.5 = half a CPU). */
  cpus: number;
  memoryMb: number;
  /**
   * GPUs: a whole number of GPUs, or a fraction of one GPU (0.25 = a quarter; several actors
   * with fractions share one GPU, each assigned that GPU's index).
   */
  gpus: number;
  /**
   * VRAM, in MiB, the actor needs on each GPU it gets (0 or absent = no VRAM accounting). The
   * scheduler never places actors whose VRAM needs on one GPU add up to more than its memory.
   */
  vramMb?: number;
  custom: Record<string, number>;
}

/**
 * Node labels are matched by a selector: key -> expression, all of which must hold.
 * Expressions: "v" (equals v), "!v" (not v, or no such label), "in(a,b)" and "!in(a,b)".
 */
export type LabelSelector = Record<string, string>;

/**
 * Where an actor may go, after Ray's scheduling strategies. DEFAULT is the hybrid policy
 * (pack onto nodes up to a utilisation threshold, then spread).
 */
export type SchedulingStrategy =
  | { kind: "DEFAULT" }
  | { kind: "SPREAD" }
  /** On that node; when `soft`, elsewhere (by the default policy) if it cannot host the actor. */
  | { kind: "NODE_AFFINITY"; nodeId: string; soft: boolean }
  /** In a bundle of a placement group; bundleIndex -1 = any bundle with room. */
  | { kind: "PLACEMENT_GROUP"; placementGroupId: string; bundleIndex: number };

/**
 * How a placement group's bundles are spread over nodes (Ray's names): PACK = as few nodes as
 * possible (best effort), SPREAD = as many as possible (best effort), STRICT_PACK = all on one
 * node, STRICT_SPREAD = each on a different node.
 */
export type PlacementStrategy = "PACK" | "SPREAD" | "STRICT_PACK" | "STRICT_SPREAD";

/** A set of resource bundles reserved together: all of them, or none. */
export interface PlacementGroupSpec {
  /** Optional; a named group is unique in its namespace (get-or-create). */
  name: string;
  namespace: string;
  bundles: ResourceRequest[];
  strategy: PlacementStrategy;
  /** Only nodes whose labels match host its bundles. */
  labelSelector?: LabelSelector;
}

/** PENDING (waiting for room, see pendingReason), CREATED, RESCHEDULING (a bundle's node died), REMOVED. */
export type PlacementGroupState = "PENDING" | "CREATED" | "RESCHEDULING" | "REMOVED";

export interface BundleInfo {
  index: number;
  /** "" while the bundle is not placed. */
  nodeId: string;
  resources: ResourceRequest;
  gpuIds: number[];
}

export interface PlacementGroupInfo {
  placementGroupId: string;
  name: string;
  namespace: string;
  strategy: PlacementStrategy;
  state: PlacementGroupState;
  bundles: BundleInfo[];
  pendingReason: string;
}

/**
 * One GPU in one telemetry sample (nvidia-smi --query-gpu). A metric the GPU does not report
 * ("[N/A]", "[Not Supported]") is absent.
 */
export interface GpuSample {
  index: number;
  uuid: string;
  name: string;
  temperatureC?: number;
  /** GPU utilisation, percent. */
  utilizationPct?: number;
  memoryUsedMb?: number;
  memoryTotalMb?: number;
  powerDrawW?: number;
  powerLimitW?: number;
  smClockMhz?: number;
  memClockMhz?: number;
}

/**
 * The host's own figures beside its GPUs': CPU (busy share of all cores since the previous
 * sample, and the 1-minute load average), memory, and network traffic (all interfaces but
 * loopback, bytes per second since the previous sample). A figure the host cannot give is absent.
 */
export interface HostSample {
  cpuUtilizationPct?: number;
  /** The 1-minute load average. */
  loadAverage?: number;
  cpuCores: number;
  memoryUsedMb: number;
  memoryTotalMb: number;
  netRxBytesPerS?: number;
  netTxBytesPerS?: number;
}

/** A node's latest GPU and host telemetry, as its worker sampled it. */
export interface NodeTelemetry {
  /** Worker clock, ms since the epoch. */
  sampledAtMs: number;
  /** "ok", or "unavailable: <reason>" (no nvidia-smi, it failed, no GPUs to watch): the GPUs' status. */
  status: string;
  gpus: GpuSample[];
  host?: HostSample | undefined;
}
