/**
 * A head process's parts wired together: the node manager (with its heartbeat-timeout timer),
 * the actor manager, the client it uses to reach workers, and the gRPC server for the Head
 * service. State lives in memory: a restarted head starts empty and workers re-register.
 */
import * as grpc from "@grpc/grpc-js";
import type { HeadConfig } from "../config-head.js";
import { clusterServices } from "../grpc/proto.js";
import { hostPort, listen, shutdown } from "../grpc/server.js";
import { ActorManager } from "./actor-manager.js";
import { headService } from "./head-service.js";
import { NodeManager } from "./node-manager.js";
import { GrpcWorkerClient } from "./worker-client.js";

export interface HeadHandle {
  /** host:port the Head service listens on. */
  readonly address: string;
  stop(): Promise<void>;
}

export interface HeadOptions {
  log?: (message: string) => void;
}

const SHUTDOWN_GRACE_MS = 2_000;

export async function startHead(config: HeadConfig, options: HeadOptions = {}): Promise<HeadHandle> {
  const log = options.log ?? ((message: string) => process.stderr.write(`[head] ${message}\n`));
  const nodes = new NodeManager({
    nodeToken: config.nodeToken,
    heartbeatTimeoutMs: config.heartbeatTimeoutMs,
  });
  const workers = new GrpcWorkerClient();
  nodes.onNodeDeath((node) => {
    log(`node ${node.nodeId} DEAD: no heartbeat for ${config.heartbeatTimeoutMs} ms`);
    workers.forget(node.address);
  });
  const actors = new ActorManager({ nodes, workers, startTimeoutMs: config.actorStartTimeoutMs, log });

  const server = new grpc.Server();
  const service = headService({ nodes, actors, heartbeatIntervalMs: config.heartbeatIntervalMs, log });
  server.addService(clusterServices().head, service.implementation);
  const port = await listen(server, config.host, config.port);

  const checkEveryMs = Math.max(10, Math.min(1000, Math.floor(config.heartbeatTimeoutMs / 4)));
  const deathTimer = setInterval(() => nodes.checkHeartbeats(), checkEveryMs);

  const address = hostPort(config.host, port);
  log(`listening on ${address}`);
  let stopping: Promise<void> | undefined;
  return {
    address,
    stop() {
      stopping ??= (async () => {
        clearInterval(deathTimer);
        service.endHeartbeats();
        await shutdown(server, SHUTDOWN_GRACE_MS);
        workers.close();
      })();
      return stopping;
    },
  };
}
