/** The driver API's deployment calls to the head (see deployment-handle.ts for routing). */

import type * as grpc from "@grpc/grpc-js";
import type { DeploymentInfo, DeploymentSpec } from "@neurogrid/schema";
import { unaryCall } from "../grpc/call.js";
import { deploymentInfoFromWire, deploymentSpecToWire } from "../grpc/deployment-convert.js";
import type { HeadService } from "../grpc/proto.js";

const HEAD_CALL_TIMEOUT_MS = 10_000;

export class DeploymentCalls {
  readonly #client: () => grpc.Client;
  readonly #head: HeadService;

  constructor(client: () => grpc.Client, head: HeadService) {
    this.#client = client;
    this.#head = head;
  }

  async apply(spec: DeploymentSpec): Promise<DeploymentInfo> {
    const reply = await unaryCall(
      this.#client(),
      this.#head.ApplyDeployment,
      { spec: deploymentSpecToWire(spec) },
      { timeoutMs: HEAD_CALL_TIMEOUT_MS },
    );
    return deploymentInfoFromWire(reply);
  }

  async get(namespace: string, name: string): Promise<DeploymentInfo> {
    const reply = await unaryCall(
      this.#client(),
      this.#head.GetDeployment,
      { namespace, name },
      { timeoutMs: HEAD_CALL_TIMEOUT_MS },
    );
    return deploymentInfoFromWire(reply);
  }

  async list(): Promise<DeploymentInfo[]> {
    const reply = await unaryCall(
      this.#client(),
      this.#head.ListDeployments,
      {},
      { timeoutMs: HEAD_CALL_TIMEOUT_MS },
    );
    return reply.deployments.map(deploymentInfoFromWire);
  }

  async report(namespace: string, name: string, handleId: string, ongoing: number): Promise<DeploymentInfo> {
    const reply = await unaryCall(
      this.#client(),
      this.#head.ReportDeploymentLoad,
      { namespace, name, handleId, ongoing },
      { timeoutMs: HEAD_CALL_TIMEOUT_MS },
    );
    return deploymentInfoFromWire(reply);
  }

  async delete(namespace: string, name: string): Promise<DeploymentInfo> {
    const reply = await unaryCall(
      this.#client(),
      this.#head.DeleteDeployment,
      { namespace, name },
      { timeoutMs: HEAD_CALL_TIMEOUT_MS },
    );
    return deploymentInfoFromWire(reply);
  }
}
