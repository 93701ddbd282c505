/**
 * Starting a head or a worker in this process, from a parsed config (config-head.ts,
 * config-worker.ts). Used by the runnable entries (head-main.ts, worker-main.ts) and by the
 * api's `neurogrid head|worker|up` commands.
 */
import type { HeadConfig } from "../config-head.js";
import type { WorkerConfig } from "../config-worker.js";
import { type HeadHandle, startHead } from "../head/head.js";
import type { LogFn } from "../logging/logger.js";
import { startWorker, type WorkerHandle } from "../worker/worker.js";
import { claimPidFile } from "./worker-pid-file.js";

export type { HeadHandle, WorkerHandle };

export interface RunHeadOptions {
  /** Where log lines go; stderr by default. */
  log?: LogFn;
}

export interface RunWorkerOptions {
  /** Where log lines go; stderr by default. */
  log?: LogFn;
  /** Environment actor processes inherit (the entry's: head-main, worker-main, the api's CLI). */
  env: NodeJS.ProcessEnv;
  /** Aborting while the worker is still trying to register gives up and stops it. */
  signal?: AbortSignal;
}

/** Starts the head; resolves once it listens. */
export function runHead(config: HeadConfig, options: RunHeadOptions = {}): Promise<HeadHandle> {
  return startHead(config, options);
}

/**
 * Starts a worker; resolves once it has registered with the head (retrying until it answers).
 * With a data folder, the worker's pid is recorded there until it stops (worker-pid-file.ts).
 */
export async function runWorker(config: WorkerConfig, options: RunWorkerOptions): Promise<WorkerHandle> {
  const { env, ...rest } = options;
  const release = config.dataDir === undefined ? () => {} : claimPidFile(config.dataDir, config.nodeId);
  let worker: WorkerHandle;
  try {
    worker = await startWorker(config, { ...rest, baseEnv: env });
  } catch (err) {
    release();
    throw err;
  }
  return {
    ...worker,
    stop: async () => {
      await worker.stop();
      release();
    },
  };
}
