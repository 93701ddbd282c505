/** DeploymentSpec and DeploymentInfo between @neurogrid/schema and the wire (head.proto). */
import type { DeploymentInfo, DeploymentSpec } from "@neurogrid/schema";
import { ClusterError } from "../errors.js";
import { actorInfoFromWire, actorInfoToWire, actorSpecFromWire, actorSpecToWire } from "./head-convert.js";
import type * as wire from "./wire.js";

export function deploymentSpecToWire(spec: DeploymentSpec): wire.DeploymentSpec {
  return {
    name: spec.name,
    namespace: spec.namespace,
    replica: actorSpecToWire(spec.replica),
    minReplicas: spec.minReplicas,
    maxReplicas: spec.maxReplicas,
    targetOngoingRequests: spec.targetOngoingRequests,
    upscaleDelayMs: spec.upscaleDelayMs,
    downscaleDelayMs: spec.downscaleDelayMs,
    initialReplicas: spec.initialReplicas ?? 0,
    drainGraceMs: spec.drainGraceMs ?? 0,
  };
}

export function deploymentSpecFromWire(spec: wire.DeploymentSpec | null): DeploymentSpec {
  if (spec === null) throw new ClusterError("INVALID_ARGUMENT", "deployment spec is missing");
  const out: DeploymentSpec = {
    name: spec.name,
    namespace: spec.namespace,
    replica: actorSpecFromWire(spec.replica),
    minReplicas: spec.minReplicas,
    maxReplicas: spec.maxReplicas,
    targetOngoingRequests: spec.targetOngoingRequests,
    upscaleDelayMs: spec.upscaleDelayMs,
    downscaleDelayMs: spec.downscaleDelayMs,
  };
  if (spec.initialReplicas > 0) out.initialReplicas = spec.initialReplicas;
  if (spec.drainGraceMs > 0) out.drainGraceMs = spec.drainGraceMs;
  return out;
}

export function deploymentInfoToWire(info: DeploymentInfo): wire.DeploymentInfo {
  return {
    spec: deploymentSpecToWire(info.spec),
    replicas: info.replicas.map(actorInfoToWire),
    targetReplicas: info.targetReplicas,
    ongoingRequests: info.ongoingRequests,
  };
}

export function deploymentInfoFromWire(info: wire.DeploymentInfo): DeploymentInfo {
  return {
    spec: deploymentSpecFromWire(info.spec),
    replicas: info.replicas.map(actorInfoFromWire),
    targetReplicas: info.targetReplicas,
    ongoingRequests: info.ongoingRequests,
  };
}
