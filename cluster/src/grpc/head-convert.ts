/**
 * The control plane's fields on the wire (common.proto additions: fractional GPUs, VRAM,
 * scheduling strategy, label selector, lifetime, restarts, pending reason), on top of the base
 * conversions of convert.ts. The head and the driver client use these; the worker ignores them.
 */
import type {
  ActorInfo,
  ActorLifetime,
  ActorSpec,
  PlacementGroupInfo,
  PlacementGroupSpec,
  PlacementGroupState,
  PlacementStrategy,
  ResourceRequest,
  SchedulingStrategy,
} from "@neurogrid/schema";
import {
  infoFromWire,
  infoToWire,
  requestFromWire,
  requestToWire,
  specFromWire,
  specToWire,
} from "./convert.js";
import type * as wire from "./wire.js";

type WireResources = wire.Resources & Partial<wire.ResourcesPlacement>;
type WireSpec = wire.ActorSpec & Partial<wire.ActorSpecPlacement>;
type WireInfo = wire.ActorInfo & Partial<wire.ActorInfoLifecycle>;

function resourcesToWire(request: ResourceRequest): wire.Resources & wire.ResourcesPlacement {
  return {
    ...requestToWire(request),
    gpusRequested: Math.ceil(request.gpus),
    numGpus: request.gpus,
    vramMb: request.vramMb ?? 0,
  };
}

function resourcesFromWire(resources: WireResources | null): ResourceRequest {
  const request = requestFromWire(resources);
  const numGpus = resources?.numGpus ?? 0;
  const vramMb = resources?.vramMb ?? 0;
  return {
    ...request,
    gpus: numGpus > 0 ? numGpus : request.gpus,
    ...(vramMb > 0 ? { vramMb } : {}),
  };
}

function strategyToWire(strategy: SchedulingStrategy | undefined): wire.SchedulingStrategy {
  const base = { nodeId: "", soft: false, placementGroupId: "", bundleIndex: 0 };
  switch (strategy?.kind) {
    case undefined:
    case "DEFAULT":
      return { ...base, kind: "STRATEGY_DEFAULT" };
    case "SPREAD":
      return { ...base, kind: "STRATEGY_SPREAD" };
    case "NODE_AFFINITY":
      return { ...base, kind: "STRATEGY_NODE_AFFINITY", nodeId: strategy.nodeId, soft: strategy.soft };
    case "PLACEMENT_GROUP":
      return {
        ...base,
        kind: "STRATEGY_PLACEMENT_GROUP",
        placementGroupId: strategy.placementGroupId,
        bundleIndex: strategy.bundleIndex,
      };
  }
}

function strategyFromWire(
  strategy: wire.SchedulingStrategy | null | undefined,
): SchedulingStrategy | undefined {
  switch (strategy?.kind) {
    case "STRATEGY_SPREAD":
      return { kind: "SPREAD" };
    case "STRATEGY_NODE_AFFINITY":
      return { kind: "NODE_AFFINITY", nodeId: strategy.nodeId, soft: strategy.soft };
    case "STRATEGY_PLACEMENT_GROUP":
      return {
        kind: "PLACEMENT_GROUP",
        placementGroupId: strategy.placementGroupId,
        bundleIndex: strategy.bundleIndex,
      };
    default:
      return undefined;
  }
}

const LIFETIME_TO_WIRE: Record<ActorLifetime, wire.ActorLifetime> = {
  detached: "LIFETIME_DETACHED",
  owned: "LIFETIME_OWNED",
};

export function actorSpecToWire(spec: ActorSpec): wire.ActorSpec & wire.ActorSpecPlacement {
  return {
    ...specToWire(spec),
    resources: resourcesToWire(spec.resources),
    schedulingStrategy: strategyToWire(spec.schedulingStrategy),
    labelSelector: { ...spec.labelSelector },
    lifetime: spec.lifetime === undefined ? "LIFETIME_DEFAULT" : LIFETIME_TO_WIRE[spec.lifetime],
    owner: spec.owner ?? "",
    maxRestarts: spec.maxRestarts ?? 0,
  };
}

export function actorSpecFromWire(spec: WireSpec | null): ActorSpec {
  const base = specFromWire(spec);
  const out: ActorSpec = { ...base, resources: resourcesFromWire(spec?.resources ?? null) };
  const strategy = strategyFromWire(spec?.schedulingStrategy);
  if (strategy !== undefined) out.schedulingStrategy = strategy;
  if (spec?.labelSelector && Object.keys(spec.labelSelector).length > 0)
    out.labelSelector = { ...spec.labelSelector };
  if (spec?.lifetime === "LIFETIME_DETACHED") out.lifetime = "detached";
  if (spec?.lifetime === "LIFETIME_OWNED") out.lifetime = "owned";
  if (spec?.owner) out.owner = spec.owner;
  if (spec?.maxRestarts) out.maxRestarts = spec.maxRestarts;
  return out;
}

export function actorInfoToWire(info: ActorInfo): wire.ActorInfo & wire.ActorInfoLifecycle {
  const { pendingReason = "", numRestarts = 0, maxTaskRetries = 0, epoch = 0, ...rest } = info;
  return { ...infoToWire(rest), pendingReason, numRestarts, maxTaskRetries, epoch };
}

export function actorInfoFromWire(info: WireInfo): ActorInfo {
  return {
    ...infoFromWire(info),
    pendingReason: info.pendingReason ?? "",
    numRestarts: info.numRestarts ?? 0,
    maxTaskRetries: info.maxTaskRetries ?? 0,
    epoch: info.epoch ?? 0,
  };
}

const PLACEMENT_TO_WIRE: Record<PlacementStrategy, wire.PlacementStrategy> = {
  PACK: "PLACEMENT_PACK",
  SPREAD: "PLACEMENT_SPREAD",
  STRICT_PACK: "PLACEMENT_STRICT_PACK",
  STRICT_SPREAD: "PLACEMENT_STRICT_SPREAD",
};

function placementFromWire(strategy: wire.PlacementStrategy): PlacementStrategy {
  return (strategy.replace("PLACEMENT_", "") as PlacementStrategy) ?? "PACK";
}

export function groupSpecToWire(spec: PlacementGroupSpec, wait: boolean): wire.CreatePlacementGroupRequest {
  return {
    name: spec.name,
    namespace: spec.namespace,
    bundles: spec.bundles.map(resourcesToWire),
    strategy: PLACEMENT_TO_WIRE[spec.strategy],
    labelSelector: { ...spec.labelSelector },
    wait,
  };
}

export function groupSpecFromWire(request: wire.CreatePlacementGroupRequest): PlacementGroupSpec {
  const spec: PlacementGroupSpec = {
    name: request.name,
    namespace: request.namespace,
    bundles: request.bundles.map((b) => resourcesFromWire(b)),
    strategy: placementFromWire(request.strategy),
  };
  if (Object.keys(request.labelSelector).length > 0) spec.labelSelector = { ...request.labelSelector };
  return spec;
}

export function groupInfoToWire(info: PlacementGroupInfo): wire.PlacementGroupInfo {
  return {
    ...info,
    strategy: PLACEMENT_TO_WIRE[info.strategy],
    bundles: info.bundles.map((b) => ({
      ...b,
      resources: resourcesToWire(b.resources),
      gpuIds: [...b.gpuIds],
    })),
  };
}

export function groupInfoFromWire(info: wire.PlacementGroupInfo): PlacementGroupInfo {
  return {
    ...info,
    strategy: placementFromWire(info.strategy),
    state: info.state as PlacementGroupState,
    bundles: info.bundles.map((b) => ({
      ...b,
      resources: resourcesFromWire(b.resources),
      gpuIds: [...b.gpuIds],
    })),
  };
}
