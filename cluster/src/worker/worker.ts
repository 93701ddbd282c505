/**
 * A worker (node agent) process's parts wired together: resource discovery, the actor
 * processes, the gRPC server for the Worker service, and the link to the head. Startup order:
 * discover -> serve -> register (so the address the head gets is already serving). Stop order:
 * leave the head -> stop actor processes -> stop serving.
 */
import * as grpc from "@grpc/grpc-js";
import { tlsFilesOf } from "../config.js";
import type { WorkerConfig } from "../config-worker.js";
import { ClusterError } from "../errors.js";
import { nodeResourcesToWire } from "../grpc/convert.js";
import { clusterServices } from "../grpc/proto.js";
import { hostPort, listen, shutdown } from "../grpc/server.js";
import { loadTls } from "../grpc/tls.js";
import { ActorProcesses } from "./actor-processes.js";
import { HeadLink } from "./head-link.js";
import { discoverResources } from "./resources.js";
import { workerService } from "./worker-service.js";

export interface WorkerHandle {
  readonly nodeId: string;
  /** host:port of this worker's Worker service, as reported to the head. */
  readonly address: string;
  readonly headAddress: string;
  stop(): Promise<void>;
}

export interface WorkerOptions {
  /** Environment actor processes inherit (CUDA_VISIBLE_DEVICES is set on top). */
  baseEnv: NodeJS.ProcessEnv;
  log?: (message: string) => void;
  /** Aborting gives up on registering (the head never answered) and stops the worker. */
  signal?: AbortSignal;
}

const SHUTDOWN_GRACE_MS = 2_000;

export async function startWorker(config: WorkerConfig, options: WorkerOptions): Promise<WorkerHandle> {
  const log =
    options.log ?? ((message: string) => process.stderr.write(`[worker ${config.nodeId}] ${message}\n`));
  const resources = await discoverResources(config);
  const tlsFiles = tlsFilesOf(config);
  const tls = tlsFiles === undefined ? undefined : loadTls(tlsFiles);
  let headLink: HeadLink | undefined;
  const processes = new ActorProcesses({
    host: config.host,
    advertiseHost: config.advertiseHost,
    startTimeoutMs: config.actorStartTimeoutMs,
    killGraceMs: config.killGraceMs,
    stopGraceMs: config.stopGraceMs,
    poolSize: config.actorPoolSize,
    security: { tls, insecure: config.insecure },
    baseEnv: options.baseEnv,
    log,
    // The head decides what happens to the actor (restart, or DEAD): tell it.
    onUnexpectedExit: (actorId, cause, pid) => headLink?.reportActorExit(actorId, pid, cause),
  });

  const server = new grpc.Server();
  server.addService(clusterServices().worker, workerService(processes));
  const port = await listen(server, config.host, config.port, { tls, insecure: config.insecure });
  const address = hostPort(config.advertiseHost, port);

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
    runningActors: () => processes.actorIds,
    log,
    tls,
  });

  let stopping: Promise<void> | undefined;
  const stop = () => {
    stopping ??= (async () => {
      headLink.stop();
      await processes.stopAll();
      await shutdown(server, SHUTDOWN_GRACE_MS);
    })();
    return stopping;
  };

  const onAbort = () => headLink.stop();
  options.signal?.addEventListener("abort", onAbort, { once: true });
  try {
    if (options.signal?.aborted) throw new ClusterError("CANCELLED", "worker start aborted");
    await headLink.start();
    log(`registered with head at ${config.headAddress}, serving on ${address}`);
  } catch (err) {
    await stop();
    throw err;
  } finally {
    options.signal?.removeEventListener("abort", onAbort);
  }
  return { nodeId: config.nodeId, address, headAddress: config.headAddress, stop };
}
