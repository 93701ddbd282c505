/** common.proto messages shared by the services, as proto-loader decodes them; see wire.ts. */

interface Gpu {
  index: number;
  uuid: string;
  name: string;
  memoryMb: number;
}

export interface Resources {
  cpus: number;
  memoryMb: number;
  gpus: Gpu[];
  gpusRequested: number;
  custom: Record<string, number>;
}

export interface ActorSpec {
  name: string;
  namespace: string;
  className: string;
  initArgs: Buffer;
  resources: Resources | null;
  /** 0: the actor class's default. */
  maxConcurrency: number;
  /** 0: none; -1: forever. */
  maxTaskRetries: number;
}

export type ActorState = "ACTOR_STATE_UNSPECIFIED" | "PENDING_CREATION" | "ALIVE" | "RESTARTING" | "DEAD";

export interface ActorInfo {
  actorId: string;
  name: string;
  namespace: string;
  className: string;
  state: ActorState;
  nodeId: string;
  address: string;
  gpuIds: number[];
  pid: number;
  deathCause: string;
}

/** proto3 `optional` fields: absent (undefined) when not set. */
export interface GpuSample {
  index: number;
  uuid: string;
  name: string;
  temperatureC?: number;
  utilizationPct?: number;
  memoryUsedMb?: number;
  memoryTotalMb?: number;
  powerDrawW?: number;
  powerLimitW?: number;
  smClockMhz?: number;
  memClockMhz?: number;
}

export interface HostSample {
  cpuUtilizationPct?: number | null;
  loadAverage?: number | null;
  cpuCores: number;
  memoryUsedMb: number;
  memoryTotalMb: number;
  netRxBytesPerS?: number | null;
  netTxBytesPerS?: number | null;
}

export interface NodeTelemetry {
  sampledAtMs: number;
  status: string;
  gpus: GpuSample[];
  host?: HostSample | null;
}
