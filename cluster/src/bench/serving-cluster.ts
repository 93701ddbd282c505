/**
 * The serving benchmark's cluster: a head and one worker as child processes on 127.0.0.1
 * (cli/testing/test-cluster.ts, the compiled entries a real cluster runs), and the model as a
 * one-replica deployment (min = max = 1) of the "model" actor class, called through one
 * DeploymentHandle of one ClusterClient.
 *
 * Every process is stopped by its PID: stop() ends the head and the worker (SIGTERM, then
 * SIGKILL), and SIGKILLs every replica process seen (trackActor) that outlived its worker, also
 * when a step failed half-way.
 */
import { readFile } from "node:fs/promises";
import { ActorState, type DeploymentSpec, type ModelManifest } from "@neurogrid/schema";
import { isAlive, waitFor } from "../cli/testing/processes.js";
import { startTestCluster, type TestCluster } from "../cli/testing/test-cluster.js";
import { ClusterClient } from "../client/cluster-client.js";
import type { DeploymentHandle } from "../client/deployment-handle.js";
import type { BatchingLimits } from "../runtime/batcher.js";

export const SERVING_NAMESPACE = "serving-bench";
const NAMESPACE = SERVING_NAMESPACE;
const NODE_ID = "serving-node";
/** Model loading (a 40 MB file, sha256-checked) and a cold actor process. */
const REPLICA_START_TIMEOUT_MS = 120_000;

export interface ServingModel {
  manifest: ModelManifest;
  cacheDir: string;
  path: string;
  sha256: string;
  intraOpNumThreads: number;
}

interface ServingReplica {
  readonly handle: DeploymentHandle;
  readonly pid: number;
  /** Stops reporting and deletes the deployment; resolves once its replica process is gone. */
  remove(): Promise<void>;
}

export interface ServingCluster {
  readonly headAddress: string;
  readonly workerPid: number;
  /** One replica of the model with these batching limits (maxBatchSize 1: batching off). */
  deploy(name: string, batching: BatchingLimits): Promise<ServingReplica>;
  stop(): Promise<void>;
}

export async function startServingCluster(
  model: ServingModel,
  workerArgs: string[],
): Promise<ServingCluster> {
  const cluster = await startTestCluster({ workers: { [NODE_ID]: workerArgs } });
  const client = new ClusterClient({ headAddress: cluster.headAddress, callTimeoutMs: 60_000 });
  const handles: DeploymentHandle[] = [];
  const workerPid = cluster.workers.get(NODE_ID)?.pid ?? 0;
  return {
    headAddress: cluster.headAddress,
    workerPid,
    async deploy(name, batching) {
      const handle = await client.applyDeployment(modelDeployment(name, model, batching), {
        reportIntervalMs: 250,
      });
      handles.push(handle);
      const [replica] = await replicasAlive(client, cluster, handle, name, 1);
      if (!replica) throw new Error(`${name} has no replica`);
      return {
        handle,
        pid: replica.pid,
        async remove() {
          handle.close();
          await client.deleteDeployment(NAMESPACE, name);
          await waitFor(`${name}'s replica to stop`, () => (isAlive(replica.pid) ? undefined : true), 30_000);
        },
      };
    },
    async stop() {
      for (const handle of handles) handle.close();
      for (const actor of await client.listActors(NAMESPACE).catch(() => []))
        if (actor.pid > 0) cluster.trackActor(actor.pid);
      client.close();
      await cluster.stop();
    },
  };
}

/** The model actor's initArgs: the model file by path + sha256, its manifest, threads, batching. */
export function modelInitArgs(model: ServingModel, batching: BatchingLimits) {
  return {
    name: model.manifest.name,
    version: model.manifest.version,
    cacheDir: model.cacheDir,
    path: model.path,
    sha256: model.sha256,
    manifest: model.manifest,
    intraOpNumThreads: model.intraOpNumThreads,
    batching,
  };
}

/** The model as a deployment of `replicas` replicas (one by default); `gpus` per replica (0: CPU only). */
export function modelDeployment(
  name: string,
  model: ServingModel,
  batching: BatchingLimits,
  gpus = 0,
  replicas = 1,
): DeploymentSpec {
  return {
    name,
    namespace: NAMESPACE,
    replica: {
      name: "",
      namespace: NAMESPACE,
      className: "model",
      initArgs: modelInitArgs(model, batching),
      resources: { cpus: 1, memoryMb: 512, gpus, custom: {} },
      maxTaskRetries: 0,
      maxRestarts: 0,
    },
    minReplicas: replicas,
    maxReplicas: replicas,
    targetOngoingRequests: 2,
    upscaleDelayMs: 3_000,
    downscaleDelayMs: 60_000,
    drainGraceMs: 2_000,
  };
}

/**
 * Waits until the deployment has `count` replicas ALIVE and `handle` sees them; tracks each
 * replica's process as soon as it has one. Fails at once if a replica died.
 */
export async function replicasAlive(
  client: ClusterClient,
  cluster: TestCluster,
  handle: DeploymentHandle,
  name: string,
  count: number,
) {
  const alive = <R extends { state: string }>(list: readonly R[]) =>
    list.filter((r) => r.state === ActorState.ALIVE);
  return waitFor(
    `${name}'s ${count} replica(s) to be alive, seen by the handle`,
    async () => {
      const info = await client.getDeployment(NAMESPACE, name);
      for (const r of info.replicas) if (r.pid > 0) cluster.trackActor(r.pid);
      const dead = info.replicas.find((r) => r.state === ActorState.DEAD);
      if (dead) throw new Error(`${name}'s replica died: ${dead.deathCause}`);
      const ready = alive(info.replicas);
      return ready.length === count && alive(handle.info.replicas).length === count ? ready : undefined;
    },
    REPLICA_START_TIMEOUT_MS,
  );
}

/** CPU seconds (user + system) a process has used, from /proc (Linux); undefined elsewhere. */
export async function processCpuSeconds(pid: number): Promise<number | undefined> {
  try {
    const stat = await readFile(`/proc/${pid}/stat`, "utf8");
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    // utime and stime (fields 14 and 15 of proc(5)), in USER_HZ = 100 ticks per second.
    return (Number(fields[11]) + Number(fields[12])) / 100;
  } catch {
    return undefined;
  }
}
