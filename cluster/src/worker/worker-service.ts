/**
 * The Worker gRPC service, called by the head: start and kill actor processes. A start whose
 * arguments break this node's policy (models/source-policy.ts) is refused before any process
 * starts. Errors reach the head as gRPC status through the edge converter (grpc/status.ts).
 */
import { ClusterError } from "../errors.js";
import { decodeJson } from "../grpc/convert.js";
import type { WorkerImplementation } from "../grpc/proto.js";
import { unaryHandler } from "../grpc/server.js";
import type {
  KillActorRequest,
  StartActorReply,
  StartActorRequest,
  WorkerStatusReply,
} from "../grpc/wire.js";
import { checkStartArgs, type ModelSourcePolicy } from "../models/source-policy.js";
import type { ActorProcesses } from "./actor-processes.js";

export interface WorkerServiceHooks {
  /** Hears how long each StartActor took (seconds) and whether it succeeded. */
  onStart?: (seconds: number, ok: boolean) => void;
  /** Answers GetStatus; UNAVAILABLE when absent. */
  status?: () => WorkerStatusReply;
}

export function workerService(
  processes: ActorProcesses,
  startArgs: ModelSourcePolicy,
  hooks: WorkerServiceHooks = {},
): WorkerImplementation {
  return {
    StartActor: unaryHandler(async (request: StartActorRequest): Promise<StartActorReply> => {
      const { spec } = request;
      if (spec === null) throw new ClusterError("INVALID_ARGUMENT", "StartActor without an actor spec");
      if (request.actorId === "")
        throw new ClusterError("INVALID_ARGUMENT", "StartActor without an actor id");
      const initArgs = decodeJson(spec.initArgs, "INVALID_ARGUMENT", "initArgs");
      checkStartArgs(spec.className, initArgs, startArgs);
      const started = performance.now();
      const seconds = () => (performance.now() - started) / 1000;
      try {
        const reply = await processes.start({
          actorId: request.actorId,
          className: spec.className,
          initArgs,
          gpuIds: request.gpuIds,
          maxConcurrency: spec.maxConcurrency,
          epoch: request.epoch ?? 0,
        });
        hooks.onStart?.(seconds(), true);
        return reply;
      } catch (err) {
        hooks.onStart?.(seconds(), false);
        throw err;
      }
    }),
    KillActor: unaryHandler(async (request: KillActorRequest) => {
      await processes.kill(request.actorId, {
        force: request.force === true,
        graceMs: request.graceMs !== undefined && request.graceMs > 0 ? request.graceMs : undefined,
      });
      return {};
    }),
    GetStatus: unaryHandler(async (): Promise<WorkerStatusReply> => {
      if (hooks.status === undefined) throw new ClusterError("UNAVAILABLE", "this worker reports no status");
      return hooks.status();
    }),
  };
}
