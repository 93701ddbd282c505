/**
 * The "echo" actor class: a diagnostic actor for cluster tests and `status`. It shows where and
 * how it runs (pid, actor id, GPUs, CUDA_VISIBLE_DEVICES as the process sees it) and exercises
 * each error path of the Actor service.
 *
 * Methods:
 *   echo(args)        -> { args, pid, actorId, gpuIds, cudaVisibleDevices }
 *   sleep({ ms })     -> { sleptMs } after ms, or CANCELLED as soon as the call is aborted
 *   count({ n, ms? }) -> streams 0, 1, ..., n-1 (one every ms), or stops when aborted
 *   stats()           -> { calls, abortedSleeps, abortedStreams, streamedItems, running,
 *                        peakRunning }: lets a test see that an abort reached the actor, how far
 *                        streams ran ahead, and how many calls ran at once
 *   exit({ code? })   -> the actor's process exits at once (tests of callers' retries)
 *   fail()            -> INTERNAL
 *   badInput()        -> INVALID_ARGUMENT
 *   anything else     -> UNIMPLEMENTED
 *
 * initArgs: optional { failInit: "message" } makes construction fail with INVALID_ARGUMENT, to
 * exercise a failed actor start.
 */
import { ClusterError } from "../errors.js";
import type { ActorClass } from "./actor-class.js";

const MAX_SLEEP_MS = 600_000;

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function numberArg(args: unknown, name: string, max: number, optional = false): number {
  const value = isRecord(args) ? args[name] : undefined;
  if (optional && value === undefined) return 0;
  if (typeof value !== "number" || !Number.isFinite(value) || value < 0 || value > max) {
    throw new ClusterError("INVALID_ARGUMENT", `${name} must be a number in [0, ${max}]`);
  }
  return value;
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    const onAbort = () => {
      clearTimeout(timer);
      reject(new ClusterError("CANCELLED", "sleep aborted"));
    };
    const timer = setTimeout(() => {
      signal.removeEventListener("abort", onAbort);
      resolve();
    }, ms);
    if (signal.aborted) onAbort();
    else signal.addEventListener("abort", onAbort, { once: true });
  });
}

export const createEchoActor: ActorClass = async (initArgs, ctx) => {
  if (isRecord(initArgs) && typeof initArgs.failInit === "string") {
    throw new ClusterError("INVALID_ARGUMENT", initArgs.failInit);
  }
  let calls = 0;
  let abortedSleeps = 0;
  let abortedStreams = 0;
  let streamedItems = 0;
  let running = 0;
  let peakRunning = 0;
  async function* count(n: number, ms: number, signal: AbortSignal): AsyncGenerator<number> {
    let finished = false;
    try {
      for (let i = 0; i < n; i += 1) {
        if (ms > 0) await sleep(ms, signal);
        streamedItems += 1;
        yield i;
      }
      finished = true;
    } finally {
      if (!finished) abortedStreams += 1;
    }
  }
  return {
    async call(method, args, signal) {
      calls += 1;
      running += 1;
      peakRunning = Math.max(peakRunning, running);
      try {
        return await dispatch(method, args, signal);
      } finally {
        running -= 1;
      }
    },
    async close() {},
  };

  async function dispatch(method: string, args: unknown, signal: AbortSignal): Promise<unknown> {
    switch (method) {
      case "echo":
        return {
          args,
          pid: process.pid,
          actorId: ctx.actorId,
          gpuIds: ctx.gpuIds,
          cudaVisibleDevices: ctx.cudaVisibleDevices,
        };
      case "sleep": {
        const ms = numberArg(args, "ms", MAX_SLEEP_MS);
        try {
          await sleep(ms, signal);
        } catch (err) {
          abortedSleeps += 1;
          throw err;
        }
        return { sleptMs: ms };
      }
      case "count":
        return count(numberArg(args, "n", 1e9), numberArg(args, "ms", MAX_SLEEP_MS, true), signal);
      case "stats":
        return { calls, abortedSleeps, abortedStreams, streamedItems, running: running - 1, peakRunning };
      case "exit":
        process.exit(numberArg(args, "code", 255, true));
        break;
      case "fail":
        throw new ClusterError("INTERNAL", "echo actor failed on purpose");
      case "badInput":
        throw new ClusterError("INVALID_ARGUMENT", "echo actor rejected its input on purpose");
      default:
        throw new ClusterError("UNIMPLEMENTED", `echo actor has no method "${method}"`);
    }
  }
};
