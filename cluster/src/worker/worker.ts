/**
 * A worker (node agent) process's parts wired together: resource discovery, the actor
 * processes, the gRPC server for the Worker service, and the link to the head. Startup order:
 * discover -> serve -> register (so the address the head gets is already serving). Stop order:
 * leave the head -> stop actor processes -> stop serving.
 */
import { readFile } from "node:fs/promises";
import { basename } from "node:path";
import * as grpc from "@grpc/grpc-js";
import { authorizeService } from "../auth/authorize.js";
import { memberAuth } from "../auth/cluster-auth.js";
import { localSecretOfHead } from "../auth/local-secret.js";
import { tlsFilesOf } from "../config.js";
import type { WorkerConfig } from "../config-worker.js";
import { ClusterError } from "../errors.js";
import { nodeResourcesToWire } from "../grpc/convert.js";
import { clusterServices } from "../grpc/proto.js";
import { hostPort, listen, shutdown } from "../grpc/server.js";
import { telemetryToWire } from "../grpc/telemetry-convert.js";
import { loadTls, type TlsMaterial } from "../grpc/tls.js";
import type { WorkerStatusReply } from "../grpc/wire.js";
import { createLogger, type LogFn, logFn } from "../logging/logger.js";
import { type MetricsServer, serveMetrics } from "../metrics/metrics-server.js";
import { ActorProcesses } from "./actor-processes.js";
import { parseTelemetryCsv } from "./gpu-telemetry.js";
import { HeadLink } from "./head-link.js";
import { HostSampler } from "./host-telemetry.js";
import { discoverResources } from "./resources.js";
import { TelemetryPoller } from "./telemetry-poller.js";
import { nvidiaSmiSource, parseReplay, replaySource, type TelemetrySource } from "./telemetry-sources.js";
import { workerMetrics } from "./worker-metrics.js";
import { workerService } from "./worker-service.js";
import { renderWorkerStatusPage } from "./worker-status-page.js";

export interface WorkerHandle {
  readonly nodeId: string;
  /** host:port of this worker's Worker service, as reported to the head. */
  readonly address: string;
  readonly headAddress: string;
  /** host:port of the Prometheus /metrics endpoint; undefined when off. */
  readonly metricsAddress: string | undefined;
  stop(): Promise<void>;
}

export interface WorkerOptions {
  /** Environment actor processes inherit (CUDA_VISIBLE_DEVICES is set on top). */
  baseEnv: NodeJS.ProcessEnv;
  log?: LogFn;
  /** Aborting gives up on registering (the head never answered) and stops the worker. */
  signal?: AbortSignal;
}

const SHUTDOWN_GRACE_MS = 2_000;

export async function startWorker(config: WorkerConfig, options: WorkerOptions): Promise<WorkerHandle> {
  const log =
    options.log ?? logFn(createLogger({ bindings: { component: "worker", nodeId: config.nodeId } }));
  const tlsFiles = tlsFilesOf(config);
  const tls = tlsFiles === undefined ? undefined : loadTls(tlsFiles);
  const auth = memberAuth(tls, clusterSecretOf(config, tls), { role: "worker", nodeId: config.nodeId });
  const { source, replayedGpus } = await telemetrySource(config);
  const resources = await discoverResources(config, undefined, replayedGpus);
  const host = new HostSampler();
  const telemetry = new TelemetryPoller(source, config.telemetryIntervalMs, () => host.sample());
  await telemetry.start();
  let headLink: HeadLink | undefined;
  const modelSources = {
    modelCacheDir: config.modelCacheDir,
    artifactOrigin: config.artifactOrigin,
    nodeToken: config.nodeToken,
  };
  const processes = new ActorProcesses({
    host: config.host,
    advertiseHost: config.advertiseHost,
    startTimeoutMs: config.actorStartTimeoutMs,
    killGraceMs: config.killGraceMs,
    stopGraceMs: config.stopGraceMs,
    poolSize: config.actorPoolSize,
    security: { tls, insecure: config.insecure },
    nodeId: config.nodeId,
    auth,
    modelSources,
    ...(config.faultInjectionRate === undefined
      ? {}
      : { faultInjection: { rate: config.faultInjectionRate, seed: seedOf(config.nodeId) } }),
    baseEnv: options.baseEnv,
    headAddress: config.headAddress,
    // Actors answer only while this node hears from the head (runtime/actor-fence.ts).
    leaseMs: () => (config.noActorLease ? 0 : (headLink?.fenceMs ?? 0)),
    log,
    // The head decides what happens to the actor (restart, or DEAD): tell it.
    onUnexpectedExit: (actorId, cause, pid) => headLink?.reportActorExit(actorId, pid, cause),
  });

  const metrics = workerMetrics({
    nodeId: config.nodeId,
    actorCount: () => processes.count,
    headConnected: () => headLink?.state.state === "connected",
    telemetry: () => telemetry.latest(),
    actors: processes.metrics,
  });
  const server = new grpc.Server();
  const startedAtMs = Date.now();
  let address = "";
  let metricsServer: MetricsServer | undefined;
  const status = (): WorkerStatusReply => ({
    nodeId: config.nodeId,
    headAddress: config.headAddress,
    headState: headLink?.state.state ?? "registering",
    lastHeadReplyMs: headLink?.state.lastReplyMs ?? 0,
    actors: processes.list(),
    resources: nodeResourcesToWire(resources),
    telemetry: telemetryToWire(telemetry.latest()),
    telemetrySource: telemetry.source.description,
    metricsAddress: metricsServer?.address ?? "",
    startedAtMs,
  });
  const workerDefinition = clusterServices().worker;
  server.addService(
    workerDefinition,
    authorizeService(
      "Worker",
      workerDefinition,
      workerService(processes, modelSources, { onStart: metrics.actorStarted, status }),
      { check: auth.check, servingNode: config.nodeId },
    ),
  );
  const port = await listen(server, config.host, config.port, { tls, insecure: config.insecure });
  address = hostPort(config.advertiseHost, port);

  headLink = new HeadLink({
    headAddress: config.headAddress,
    registration: {
      nodeId: config.nodeId,
      address,
      resources: nodeResourcesToWire(resources),
      labels: config.labels,
      nodeToken: config.nodeToken ?? "",
    },
    actorCount: () => processes.count,
    telemetry: () => telemetry.latest(),
    runningActors: () => processes.actorIds,
    log,
    tls,
    credential: auth.token,
    onHeadContact: (validForMs) => {
      if (!config.noActorLease) processes.renewLeases(validForMs);
    },
  });

  let stopping: Promise<void> | undefined;
  const stop = () => {
    stopping ??= (async () => {
      headLink.stop();
      telemetry.stop();
      await metricsServer?.close();
      await processes.stopAll();
      await shutdown(server, SHUTDOWN_GRACE_MS);
    })();
    return stopping;
  };

  const onAbort = () => {
    headLink.stop();
    telemetry.stop();
  };
  options.signal?.addEventListener("abort", onAbort, { once: true });
  try {
    if (options.signal?.aborted) throw new ClusterError("CANCELLED", "worker start aborted");
    if (config.metricsPort !== undefined) {
      const page = () => renderWorkerStatusPage(status(), processes.metrics.callTotals(), Date.now());
      metricsServer = await serveMetrics(metrics.registry, config.host, config.metricsPort, page);
      log(
        `metrics on http://${metricsServer.address}/metrics, status page on http://${metricsServer.address}/`,
      );
    }
    await headLink.start();
    log(`registered with head at ${config.headAddress}, serving on ${address}`);
  } catch (err) {
    await stop();
    throw err;
  } finally {
    options.signal?.removeEventListener("abort", onAbort);
  }
  return {
    nodeId: config.nodeId,
    address,
    headAddress: config.headAddress,
    metricsAddress: metricsServer?.address,
    stop,
  };
}

/**
 * The secret this worker's calls are credentialed with, without TLS: the one given, else the one
 * a head on this machine wrote for its port (auth/local-secret.ts). A worker with neither refuses
 * to start: its own servers would take calls from anyone.
 */
export function clusterSecretOf(config: WorkerConfig, tls: TlsMaterial | undefined): string | undefined {
  if (tls !== undefined) return undefined;
  const secret = config.clusterSecret ?? localSecretOfHead(config.headAddress);
  if (secret === undefined)
    throw new ClusterError(
      "UNAUTHENTICATED",
      `no cluster credential for the head at ${config.headAddress}: give --tls-ca/--tls-cert/--tls-key or --cluster-secret, or run the worker on the head's machine (as the head's user)`,
    );
  return secret;
}

/** The replay stand-in when config names one (its first snapshot's GPUs are the node's), else nvidia-smi. */
async function telemetrySource(
  config: WorkerConfig,
): Promise<{ source: TelemetrySource; replayedGpus?: ReturnType<typeof parseTelemetryCsv> }> {
  if (config.telemetryReplay === undefined) return { source: nvidiaSmiSource() };
  let text: string;
  try {
    text = await readFile(config.telemetryReplay, "utf8");
  } catch (err) {
    throw new ClusterError(
      "INVALID_ARGUMENT",
      `cannot read the telemetry replay ${config.telemetryReplay}: ${(err as Error).message}`,
    );
  }
  const first = parseReplay(text).find((snapshot) => snapshot.failure === undefined);
  return {
    source: replaySource(text, basename(config.telemetryReplay)),
    replayedGpus: first === undefined ? [] : parseTelemetryCsv(first.text),
  };
}

/** A seed for the node's fault injection draw, from its id (a rerun lies on the same answers). */
function seedOf(nodeId: string): number {
  let h = 2166136261;
  for (const c of nodeId) h = Math.imul(h ^ (c.codePointAt(0) ?? 0), 16777619);
  return h >>> 0;
}
