/**
 * A head process's parts wired together: the resource table (scheduler), the node manager
 * (with its heartbeat-timeout timer), the actor manager, driver sessions, the client it uses to
 * reach workers, the table storage, and the gRPC server for the Head service. With Redis
 * storage a restarted head recovers its tables before it serves (recovery.ts) and workers
 * register again; with memory storage it starts empty.
 */
import * as grpc from "@grpc/grpc-js";
import { authorizeService } from "../auth/authorize.js";
import { memberAuth } from "../auth/cluster-auth.js";
import { newLocalSecret, readLocalSecret, writeLocalSecret } from "../auth/local-secret.js";
import { tlsFilesOf } from "../config.js";
import type { HeadConfig } from "../config-head.js";
import { clusterServices } from "../grpc/proto.js";
import { hostPort, listen, shutdown } from "../grpc/server.js";
import { loadTls } from "../grpc/tls.js";
import { createLogger, type LogFn, logFn } from "../logging/logger.js";
import { type MetricsServer, serveMetrics } from "../metrics/metrics-server.js";
import { ActorManager } from "./actor-manager.js";
import { DeploymentManager } from "./deployment-manager.js";
import { deploymentService } from "./deployment-service.js";
import { DriverSessions } from "./driver-sessions.js";
import { GpuHeatGuard } from "./gpu-heat.js";
import { headMetrics } from "./head-metrics.js";
import { headRpcHistogram, timeUnaryCalls } from "./head-rpc-metrics.js";
import { headService } from "./head-service.js";
import { NodeManager } from "./node-manager.js";
import { NodeQuarantine, quarantineCause } from "./node-quarantine.js";
import { PlacementGroupManager } from "./placement-group-manager.js";
import { recover } from "./recovery.js";
import { RedisStorage } from "./redis-storage.js";
import { ResourceTable } from "./resource-table.js";
import { type HeadStorage, MemoryStorage } from "./storage.js";
import { GrpcWorkerClient } from "./worker-client.js";

export interface HeadHandle {
  /** host:port the Head service listens on. */
  readonly address: string;
  /** host:port of the Prometheus /metrics endpoint; undefined when off. */
  readonly metricsAddress: string | undefined;
  stop(): Promise<void>;
}

export interface HeadOptions {
  log?: LogFn;
}

const SHUTDOWN_GRACE_MS = 2_000;

export async function startHead(config: HeadConfig, options: HeadOptions = {}): Promise<HeadHandle> {
  const log = options.log ?? logFn(createLogger({ bindings: { component: "head" } }));
  const tlsFiles = tlsFilesOf(config);
  const tls = tlsFiles === undefined ? undefined : loadTls(tlsFiles);
  // Identity is always checked: without TLS or a given secret, by a secret made for this head
  // (auth/local-secret.ts), kept by a head that restarts on the same port.
  const generated = tls === undefined && config.clusterSecret === undefined;
  const secret = generated
    ? ((config.port > 0 ? readLocalSecret(config.port) : undefined) ?? newLocalSecret())
    : config.clusterSecret;
  const auth = memberAuth(tls, secret, { role: "head" });
  const storage: HeadStorage =
    config.storage === "memory"
      ? new MemoryStorage()
      : new RedisStorage({ url: config.storage, prefix: config.storagePrefix, log });
  const resources = new ResourceTable({ spreadThreshold: config.spreadThreshold });
  const nodes = new NodeManager({
    nodeToken: config.nodeToken,
    nodeTokenSecret: config.nodeTokenSecret,
    heartbeatTimeoutMs: config.heartbeatTimeoutMs,
    restoreGraceMs: config.restoreGraceMs,
    resources,
    storage,
  });
  const heat = new GpuHeatGuard({ criticalTempC: config.gpuCriticalTempC, resources, log });
  nodes.onNodeJoin((node) => heat.forget(node.nodeId));
  nodes.onTelemetry((node, telemetry) => heat.update(node.nodeId, telemetry));
  const workers = new GrpcWorkerClient(tls, auth.token);
  nodes.onNodeDeath((node) => workers.forget(node.address));
  nodes.onEvent((event) => {
    if (event.type === "DEAD") log(`node ${event.node.nodeId} DEAD: ${event.cause}`);
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
  const quarantine = new NodeQuarantine({ resources, storage });
  quarantine.onQuarantined((nodeId, { reason }) => {
    const moved = actors.evictNode(nodeId, quarantineCause(nodeId, reason));
    log(`node ${nodeId} quarantined: ${reason}; ${moved} actors moved off it`);
  });
  const recovered = await recover(storage, { nodes, actors, groups, quarantine });
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
    resources,
    quarantine,
    heartbeatIntervalMs: config.heartbeatIntervalMs,
    heartbeatTimeoutMs: config.heartbeatTimeoutMs,
    certifiedNodes: tls !== undefined,
    log,
  });
  const deployments = new DeploymentManager({ actors, log });
  const rpcDurations = headRpcHistogram();
  const headDefinition = clusterServices().head;
  server.addService(
    headDefinition,
    authorizeService(
      "Head",
      headDefinition,
      timeUnaryCalls(
        { ...service.implementation, ...deploymentService(deployments) },
        headDefinition,
        rpcDurations,
      ),
      { check: auth.check },
    ),
  );
  const port = await listen(server, config.host, config.port, { tls, insecure: config.insecure });
  if (generated && auth.secret !== undefined) {
    const file = writeLocalSecret(port, auth.secret);
    log(`no TLS and no --cluster-secret: callers are identified with this head's own secret (${file})`);
  }

  const checkEveryMs = Math.max(10, Math.min(1000, Math.floor(config.heartbeatTimeoutMs / 4)));
  const deathTimer = setInterval(() => nodes.checkHeartbeats(), checkEveryMs);

  const address = hostPort(config.host, port);
  log(`listening on ${address}`);
  let metricsServer: MetricsServer | undefined;
  if (config.metricsPort !== undefined) {
    const registry = headMetrics({ nodes, actors, groups, resources, deployments });
    registry.registerMetric(rpcDurations);
    metricsServer = await serveMetrics(registry, config.host, config.metricsPort).catch(
      async (err: unknown) => {
        clearInterval(deathTimer);
        service.endStreams();
        await shutdown(server, SHUTDOWN_GRACE_MS);
        await storage.close();
        throw err;
      },
    );
    log(`metrics on http://${metricsServer.address}/metrics`);
  }
  let stopping: Promise<void> | undefined;
  return {
    address,
    metricsAddress: metricsServer?.address,
    stop() {
      stopping ??= (async () => {
        clearInterval(deathTimer);
        deployments.stop();
        await metricsServer?.close();
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
