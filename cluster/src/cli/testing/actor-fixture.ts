/**
 * Test support for the data path without a head: real actor processes started the way a worker
 * starts them (ActorProcesses: a fork of the actor host, IPC handshake, loopback gRPC), and
 * handles on them made directly, with a stand-in for the head's answer (`lookup`) when a test
 * moves an actor. close() stops every process by its PID.
 */
import { type ActorInfo, ActorState, nodeId, actorId as toActorId } from "@neurogrid/schema";
import { ActorChannels, type ActorChannelsOptions } from "../../client/actor-channels.js";
import { GrpcActorHandle } from "../../client/actor-handle.js";
import type { ServerSecurity } from "../../grpc/tls.js";
import { ActorProcesses, type StopOptions } from "../../worker/actor-processes.js";
import { isAlive, killQuietly } from "./processes.js";

export interface StartOptions {
  className?: string;
  initArgs?: unknown;
  maxConcurrency?: number;
  gpuIds?: number[];
  /** The incarnation's fencing epoch, as the head would issue it (0: none). */
  epoch?: number;
}

export interface HandleOptions {
  maxTaskRetries?: number;
  lookup?: (namespace: string, name: string) => Promise<ActorInfo>;
  defaultTimeoutMs?: number;
}

export class ActorFixture {
  readonly channels: ActorChannels;
  readonly #processes: ActorProcesses;
  readonly #pids = new Set<number>();
  #count = 0;

  constructor(
    channel: Partial<ActorChannelsOptions> = {},
    processes: { poolSize?: number; security?: ServerSecurity } = {},
  ) {
    this.channels = new ActorChannels({ window: 256, streamWindow: 64, ...channel });
    this.#processes = new ActorProcesses({
      host: "127.0.0.1",
      advertiseHost: "127.0.0.1",
      startTimeoutMs: 60_000,
      killGraceMs: 2_000,
      poolSize: processes.poolSize ?? 0,
      security: processes.security,
      baseEnv: process.env,
      log: () => {},
    });
  }

  /** The actor processes, as the worker holds them. */
  get processes(): ActorProcesses {
    return this.#processes;
  }

  /** Starts an actor process; the info is what the head would say about it. */
  async start(name: string, options: StartOptions = {}): Promise<ActorInfo> {
    this.#count += 1;
    const actorId = `${name}-${this.#count}`;
    const started = await this.#processes.start({
      actorId,
      className: options.className ?? "echo",
      initArgs: options.initArgs ?? {},
      gpuIds: options.gpuIds ?? [],
      maxConcurrency: options.maxConcurrency ?? 0,
      epoch: options.epoch ?? 0,
    });
    this.#pids.add(started.pid);
    return {
      actorId: toActorId(actorId),
      name,
      namespace: "test",
      className: options.className ?? "echo",
      state: ActorState.ALIVE,
      nodeId: nodeId("local"),
      address: started.address,
      gpuIds: options.gpuIds ?? [],
      pid: started.pid,
      deathCause: "",
      epoch: options.epoch ?? 0,
    };
  }

  handle(info: ActorInfo, options: HandleOptions = {}): GrpcActorHandle {
    return new GrpcActorHandle(info, {
      channels: this.channels,
      defaultTimeoutMs: options.defaultTimeoutMs,
      maxTaskRetries: options.maxTaskRetries ?? 0,
      lookup: options.lookup ?? (async () => ({ ...info, state: ActorState.DEAD, deathCause: "gone" })),
    });
  }

  async kill(info: ActorInfo, options: StopOptions = {}): Promise<void> {
    await this.#processes.kill(info.actorId, options);
  }

  async close(): Promise<void> {
    this.channels.closeAll();
    const pooled = this.#processes.pooledPids;
    await this.#processes.stopAll();
    for (const pid of [...this.#pids, ...pooled]) if (isAlive(pid)) killQuietly(pid, "SIGKILL");
  }
}
