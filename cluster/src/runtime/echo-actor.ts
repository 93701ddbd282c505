/**
 * The "echo" actor class: a diagnostic actor for cluster tests and `status`. It shows where and
 * how it runs (pid, actor id, GPUs, CUDA_VISIBLE_DEVICES as the process sees it) and exercises
 * each error path of the Actor service.
 *
 * Methods:
 *   echo(args)        -> { args, pid, actorId, gpuIds, cudaVisibleDevices }
 *   sleep({ ms })     -> { sleptMs } after ms, or CANCELLED as soon as the call is aborted
 *   stats()           -> { calls, abortedSleeps }: lets a test see that an abort reached the actor
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

function sleepArgs(args: unknown): number {
  const ms = isRecord(args) ? args.ms : undefined;
  if (typeof ms !== "number" || !Number.isFinite(ms) || ms < 0 || ms > MAX_SLEEP_MS) {
    throw new ClusterError("INVALID_ARGUMENT", `sleep needs { ms: number in [0, ${MAX_SLEEP_MS}] }`);
  }
  return ms;
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
  return {
    async call(method, args, signal) {
      calls += 1;
      switch (method) {
        case "echo":
          return {
            args,
            pid: process.pid,
            actorId: ctx.actorId,
            gpuIds: ctx.gpuIds,
            cudaVisibleDevices: process.env.CUDA_VISIBLE_DEVICES ?? "",
          };
        case "sleep": {
          const ms = sleepArgs(args);
          try {
            await sleep(ms, signal);
          } catch (err) {
            abortedSleeps += 1;
            throw err;
          }
          return { sleptMs: ms };
        }
        case "stats":
          return { calls, abortedSleeps };
        case "fail":
          throw new ClusterError("INTERNAL", "echo actor failed on purpose");
        case "badInput":
          throw new ClusterError("INVALID_ARGUMENT", "echo actor rejected its input on purpose");
        default:
          throw new ClusterError("UNIMPLEMENTED", `echo actor has no method "${method}"`);
      }
    },
    async close() {},
  };
};
