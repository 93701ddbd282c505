/**
 * What an actor process does once it knows its actor: construct the class from the registry,
 * serve the Actor service for that one instance, and stop gracefully. The process around it
 * (IPC handshake, signals, exit) is actor-host-main.ts.
 *
 * Calls arrive on call channels (Actor.Connect: many calls per stream, actor-host-channel.ts)
 * or one per unary Actor.Call; both go through one gate (grpc/call-gate.ts) that runs at most
 * maxConcurrency calls at once and queues the rest, and through one runner (actor-host-run.ts).
 *
 * Graceful stop: new calls are refused (UNAVAILABLE), calls already accepted (running or
 * queued) get up to graceMs to finish; what is left is aborted (its signal fires, the caller
 * gets UNAVAILABLE) and the streams end; then the server stops and the instance is closed.
 *
 * Fencing: the incarnation answers only while its lease holds (actor-fence.ts), and only calls
 * on the call channel that name its own epoch or none (../grpc/epoch-fence.ts); every reply
 * there carries its epoch; the same holds for a unary Actor.Call (its request and reply).
 *
 * Metrics: every call that reaches the host, whichever way it came, is counted in `deps.calls`
 * when its final reply goes (duration from arrival, queueing included; outcome "ok" or its
 * error code), refused ones too; the instance's info() is asked once, after construction.
 */
import * as grpc from "@grpc/grpc-js";
import { authorizeService } from "../auth/authorize.js";
import { actorCallerCheck } from "../auth/cluster-auth.js";
import { ClusterClient } from "../client/cluster-client.js";
import { ClusterError } from "../errors.js";
import { CallGate } from "../grpc/call-gate.js";
import { LARGE_MESSAGES } from "../grpc/client-pool.js";
import { staleCall } from "../grpc/epoch-fence.js";
import { type ActorImplementation, clusterServices } from "../grpc/proto.js";
import { listen, shutdown, unaryHandler } from "../grpc/server.js";
import type { ActorCallReply, ActorCallRequest } from "../grpc/wire.js";
import type { LogFn } from "../logging/logger.js";
import { type CallHistogram, callOutcome } from "../metrics/call-histogram.js";
import { type ActorClass, type ActorInstance, DEFAULT_MAX_CONCURRENCY } from "./actor-class.js";
import { ActorFence } from "./actor-fence.js";
import { ServerChannel } from "./actor-host-channel.js";
import type { ActorHostStart } from "./actor-host-protocol.js";
import { runCall } from "./actor-host-run.js";

export interface ActorHost {
  port: number;
  /** Calls that run now / wait for a slot. */
  readonly load: { running: number; queued: number; peak: number };
  /** What the instance's info() reported (metric labels); {} when it has none. */
  readonly info: Record<string, string>;
  /** Refuses new calls, lets accepted ones finish for up to graceMs, then closes the instance. */
  stop(graceMs: number): Promise<void>;
  /** The worker heard from the head: the actor may answer for validForMs more (actor-fence.ts). */
  renewLease(validForMs: number): void;
}

export interface ActorHostDeps {
  classes: Readonly<Record<string, ActorClass>>;
  /** CUDA_VISIBLE_DEVICES as this process sees it. */
  cudaVisibleDevices: string;
  /** Where calls that carry a trace id are logged. */
  log?: LogFn;
  /** Where every call's duration and outcome are counted. */
  calls?: CallHistogram;
}

/** After the grace period, how long aborted calls get to end before the streams are cut. */
const ABORT_SETTLE_MS = 1_000;

export async function startActorHost(start: ActorHostStart, deps: ActorHostDeps): Promise<ActorHost> {
  const actorClass = Object.hasOwn(deps.classes, start.className) ? deps.classes[start.className] : undefined;
  if (actorClass === undefined) {
    const known = Object.keys(deps.classes).join(", ");
    throw new ClusterError("INVALID_ARGUMENT", `unknown actor class "${start.className}" (known: ${known})`);
  }
  const client = lazyClusterClient(start);
  let instance: ActorInstance;
  try {
    instance = await actorClass(start.initArgs, {
      actorId: start.actorId,
      gpuIds: start.gpuIds,
      cudaVisibleDevices: deps.cudaVisibleDevices,
      ...(start.modelSources ? { modelSources: start.modelSources } : {}),
      ...(start.faultInjection ? { faultInjection: start.faultInjection } : {}),
      ...(start.headAddress ? { cluster: client.get } : {}),
    });
  } catch (err) {
    client.close();
    throw err;
  }
  const limit = start.maxConcurrency || instance.maxConcurrency || DEFAULT_MAX_CONCURRENCY;
  const info = instanceInfo(instance, deps.log);
  const fence = new ActorFence(start.leaseMs);
  const service = new ActorService(
    instance,
    new CallGate(limit),
    fence,
    start.epoch ?? 0,
    deps.log,
    deps.calls,
  );
  const server = new grpc.Server(LARGE_MESSAGES);
  const actorDefinition = clusterServices().actor;
  server.addService(
    actorDefinition,
    authorizeService("Actor", actorDefinition, service.implementation(), {
      check: actorCallerCheck(start.auth),
      servingNode: start.nodeId,
    }),
  );
  let port: number;
  try {
    port = await listen(server, start.host, 0, { tls: start.tls, insecure: start.insecure });
  } catch (err) {
    await instance.close();
    client.close();
    throw err;
  }
  let stopping: Promise<void> | undefined;
  return {
    port,
    info,
    get load() {
      return service.load;
    },
    renewLease: (validForMs) => fence.renew(validForMs),
    stop(graceMs) {
      stopping ??= (async () => {
        await service.drain(graceMs);
        await shutdown(server, ABORT_SETTLE_MS);
        await instance.close();
        client.close();
      })();
      return stopping;
    },
  };
}

class ActorService {
  readonly #instance: ActorInstance;
  readonly #gate: CallGate;
  readonly #fence: ActorFence;
  readonly #epoch: number;
  readonly #channels = new Set<ServerChannel>();
  readonly #unaryCalls = new Set<AbortController>();
  readonly #log: LogFn | undefined;
  readonly #calls: CallHistogram | undefined;
  #refusal: ClusterError | undefined;

  constructor(
    instance: ActorInstance,
    gate: CallGate,
    fence: ActorFence,
    epoch: number,
    log: LogFn | undefined,
    calls: CallHistogram | undefined,
  ) {
    this.#instance = instance;
    this.#gate = gate;
    this.#fence = fence;
    this.#epoch = epoch;
    this.#log = log;
    this.#calls = calls;
  }

  get load() {
    return { running: this.#gate.running, queued: this.#gate.queued, peak: this.#gate.peak };
  }

  implementation(): ActorImplementation {
    return {
      Call: unaryHandler((request, call) => this.#unary(request, call)),
      Connect: (stream) => {
        const channel = new ServerChannel(stream, {
          instance: this.#instance,
          gate: this.#gate,
          refusal: () => this.#refusal ?? this.#fence.refusal(),
          fenced: () => this.#fence.refusal(),
          epoch: this.#epoch,
          onClose: (closed) => this.#channels.delete(closed),
          log: this.#log,
          calls: this.#calls,
        });
        this.#channels.add(channel);
      },
    };
  }

  /** The graceful part of a stop: refuse, wait up to graceMs, abort the rest, end the streams. */
  async drain(graceMs: number): Promise<void> {
    this.#refusal = new ClusterError("UNAVAILABLE", "the actor is stopping");
    await this.#gate.idle(graceMs);
    const stopped = new ClusterError("UNAVAILABLE", "the actor stopped before the call finished");
    for (const channel of this.#channels) channel.abortAll(stopped);
    for (const controller of this.#unaryCalls) controller.abort(stopped);
    await this.#gate.idle(ABORT_SETTLE_MS);
    for (const channel of [...this.#channels]) channel.close(stopped);
  }

  #unary(request: ActorCallRequest, call: grpc.ServerUnaryCall<ActorCallRequest, ActorCallReply>) {
    const startedMs = performance.now();
    const observe = (code?: string) =>
      this.#calls?.observe(request.method, callOutcome(code), (performance.now() - startedMs) / 1000);
    const refusal = this.#refusal ?? this.#fence.refusal() ?? staleCall(this.#epoch, request.epoch ?? 0);
    if (refusal !== undefined) {
      observe(refusal.code);
      return Promise.reject(refusal);
    }
    const controller = new AbortController();
    this.#unaryCalls.add(controller);
    return new Promise<ActorCallReply>((resolve, reject) => {
      const onCancelled = () => {
        const cancelled = new ClusterError("CANCELLED", "the caller cancelled the call");
        if (ticket.withdraw()) {
          settled(cancelled.code);
          reject(cancelled);
        } else controller.abort(cancelled);
      };
      const settled = (code?: string) => {
        call.off("cancelled", onCancelled);
        this.#unaryCalls.delete(controller);
        observe(code);
      };
      call.once("cancelled", onCancelled);
      const ticket = this.#gate.enter(() =>
        runCall(this.#instance, { ...request, streaming: false }, controller.signal, {
          item: () => Promise.reject(new ClusterError("INTERNAL", "a unary call has no items")),
          result: (result) => {
            // An answer computed across a pause past the fence is withheld.
            const fenced = this.#fence.refusal();
            if (fenced !== undefined) {
              settled(fenced.code);
              reject(fenced);
              return;
            }
            settled();
            resolve({ result, epoch: this.#epoch });
          },
          end: () => {},
          error: (error) => {
            settled(error.code);
            reject(error);
          },
        }),
      );
    });
  }
}

/** The instance's info() as metric labels ({} without one); a throwing info() is logged, not fatal. */
function instanceInfo(instance: ActorInstance, log: LogFn | undefined): Record<string, string> {
  if (instance.info === undefined) return {};
  try {
    const info: unknown = instance.info();
    if (typeof info !== "object" || info === null) return {};
    return Object.fromEntries(
      Object.entries(info).filter((entry): entry is [string, string] => typeof entry[1] === "string"),
    );
  } catch (err) {
    log?.(`info() failed: ${err instanceof Error ? err.message : String(err)}`, { level: "warn" });
    return {};
  }
}

/** The actor's own driver client on its cluster, made on first use (ActorContext.cluster). */
function lazyClusterClient(start: ActorHostStart): { get: () => ClusterClient; close: () => void } {
  let client: ClusterClient | undefined;
  return {
    get() {
      if (!start.headAddress) throw new ClusterError("INTERNAL", "this actor was not told where its head is");
      client ??= new ClusterClient({
        headAddress: start.headAddress,
        ...(start.tls ? { tls: start.tls } : {}),
        ...(start.auth?.token ? { credential: start.auth.token } : {}),
      });
      return client;
    },
    close: () => client?.close(),
  };
}
