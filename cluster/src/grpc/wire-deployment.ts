/** Deployment messages of head.proto, as proto-loader decodes them; see wire.ts. */
import type { ActorInfo, ActorSpec } from "./wire-common.js";

export interface DeploymentSpec {
  name: string;
  namespace: string;
  replica: ActorSpec | null;
  minReplicas: number;
  maxReplicas: number;
  targetOngoingRequests: number;
  upscaleDelayMs: number;
  downscaleDelayMs: number;
  initialReplicas: number;
  drainGraceMs: number;
}

export interface DeploymentInfo {
  spec: DeploymentSpec | null;
  replicas: ActorInfo[];
  targetReplicas: number;
  ongoingRequests: number;
}

export interface ApplyDeploymentRequest {
  spec: DeploymentSpec | null;
}

export interface DeploymentRequest {
  namespace: string;
  name: string;
}

export interface ReportDeploymentLoadRequest {
  namespace: string;
  name: string;
  handleId: string;
  ongoing: number;
}

export type ListDeploymentsRequest = Record<string, never>;

export interface ListDeploymentsReply {
  deployments: DeploymentInfo[];
}
