/** The Head service's deployment methods (head.proto), over the deployment manager. */
import { deploymentInfoToWire, deploymentSpecFromWire } from "../grpc/deployment-convert.js";
import type { HeadDeploymentImplementation } from "../grpc/proto.js";
import { unaryHandler } from "../grpc/server.js";
import type * as wire from "../grpc/wire.js";
import type { DeploymentManager } from "./deployment-manager.js";

export function deploymentService(deployments: DeploymentManager): HeadDeploymentImplementation {
  return {
    ApplyDeployment: unaryHandler((request: wire.ApplyDeploymentRequest) =>
      deploymentInfoToWire(deployments.apply(deploymentSpecFromWire(request.spec))),
    ),
    GetDeployment: unaryHandler((request: wire.DeploymentRequest) =>
      deploymentInfoToWire(deployments.get(request.namespace, request.name)),
    ),
    ListDeployments: unaryHandler(() => ({ deployments: deployments.list().map(deploymentInfoToWire) })),
    ReportDeploymentLoad: unaryHandler((request: wire.ReportDeploymentLoadRequest) =>
      deploymentInfoToWire(
        deployments.report(request.namespace, request.name, request.handleId, request.ongoing),
      ),
    ),
    DeleteDeployment: unaryHandler((request: wire.DeploymentRequest) =>
      deploymentInfoToWire(deployments.delete(request.namespace, request.name)),
    ),
  };
}
