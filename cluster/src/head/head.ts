/**
 * A head process's parts wired together: the resource table (scheduler), the node manager
 * (with its heartbeat-timeout timer), the actor manager, driver sessions, the client it uses to
 * reach workers, the table storage, and the gRPC server for the Head service. With Redis
 * storage a restarted head recovers its tables before it serves (recovery.ts) and workers
 * register again; with memory storage it starts empty.
 */
import * as grpc from "@grpc/grpc-js";
import { tlsFilesOf } from "../config.js";
import type { HeadConfig } from "../config-head.js";
import { clusterServices } from "../grpc/proto.js";
import { hostPort, listen, shutdown } from "../grpc/server.js";
import { loadTls } from "../grpc/tls.js";
import { ActorManager } from "./actor-manager.js";
import { DriverSessions } from "./driver-sessions.js";
import { headService } from "./head-service.js";
import { NodeManager } from "./node-manager.js";
import { PlacementGroupManager } from "./placement-group-manager.js";
import { recover } from "./recovery.js";
import { RedisStorage } from "./redis-storage.js";
import { ResourceTable } from "./resource-table.js";
import { type HeadStorage, MemoryStorage } from "./storage.js";
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
  const tlsFiles = tlsFilesOf(config);
  const tls = tlsFiles === undefined ? undefined : loadTls(tlsFiles);
  const storage: HeadStorage =
    config.storage === "memory"
      ? new MemoryStorage()
      : new RedisStorage({ url: config.storage, prefix: config.storagePrefix, log });
  const resources = new ResourceTable({ spreadThreshold: config.spreadThreshold });
  const nodes = new NodeManager({
    nodeToken: config.nodeToken,
    nodeTokenSecret: config.nodeTokenSecret,
    heartbeatTimeoutMs: config.heartbeatTimeoutMs,
    resources,
    storage,
  });
  const workers = new GrpcWorkerClient(tls);
  nodes.onNodeDeath((node) => {
    log(`node ${node.nodeId} DEAD: no heartbeat for ${config.heartbeatTimeoutMs} ms`);
    workers.forget(node.address);
  });
  let sessions: DriverSessions | undefined;
  const actors = new ActorManager({
    nodes,
    resources,
    workers,
    startTimeoutMs: config.actorStartTimeoutMs,
    storage,
    ownerAlive: (owner) => sessions?.isOpen(owner) ?? false,
    log,
  });
  sessions = new DriverSessions((sessionId) => actors.ownerGone(sessionId), config.heartbeatTimeoutMs);
  const groups = new PlacementGroupManager({
    resources,
    nodes,
    actors,
    log,
    onChange: (group) =>
      storage.putGroup({
        info: group.info,
        spec: group.spec,
        placements: group.placements.map((p) => p ?? null),
      }),
  });
  const recovered = await recover(storage, { nodes, actors, groups });
  sessions.expect(actors.owners());
  if (recovered.nodes + recovered.actors + recovered.groups > 0) {
    log(
      `recovered ${recovered.nodes} nodes, ${recovered.actors} actors, ${recovered.groups} placement groups`,
    );
  }

  const server = new grpc.Server();
  const service = headService({
    nodes,
    actors,
    sessions,
    groups,
    heartbeatIntervalMs: config.heartbeatIntervalMs,
    certifiedNodes: tls !== undefined,
    log,
  });
  server.addService(clusterServices().head, service.implementation);
  const port = await listen(server, config.host, config.port, { tls, insecure: config.insecure });

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
        sessions?.stop();
        service.endStreams();
        await shutdown(server, SHUTDOWN_GRACE_MS);
        workers.close();
        await storage.close();
      })();
      return stopping;
    },
  };
}
