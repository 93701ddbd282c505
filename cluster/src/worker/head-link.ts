/**
 * The worker's link to the head (Ray's raylet <-> GCS): register, then keep a heartbeat stream.
 *
 *   start() ──▶ RegisterNode ──▶ Heartbeat stream, one beat every heartbeatIntervalMs
 *                   ▲   (retried with backoff         │
 *                   │    until the head answers)      │ reply says `reregister` (the head forgot
 *                   │                                 │ this node: it restarted, or marked us DEAD)
 *                   └─────────────────────────────────┤ or the stream broke / ended
 *
 * The first registration fails fast on UNAUTHENTICATED (bad node token or credential),
 * PERMISSION_DENIED (a credential for another node) and INVALID_ARGUMENT:
 * retrying cannot fix them. Later re-registrations retry whatever the error, until stop().
 * Every registration says which actor processes the worker runs (the head reconciles), and
 * the head's reply carries the session that the node's later calls (heartbeats, reports of
 * actor processes that exited on their own) must carry.
 */
import type * as grpc from "@grpc/grpc-js";
import type { NodeTelemetry } from "@neurogrid/schema";
import type { ClusterError } from "../errors.js";
import { unaryCall } from "../grpc/call.js";
import { ClientPool, QUICK_RECONNECT } from "../grpc/client-pool.js";
import { clusterServices } from "../grpc/proto.js";
import { fromServiceError } from "../grpc/status.js";
import type { TlsMaterial } from "../grpc/tls.js";
import type {
  HeartbeatReply,
  HeartbeatRequest,
  RegisterNodeRequest,
  ReportActorExitRequest,
} from "../grpc/wire.js";
import type { LogFn } from "../logging/logger.js";
import { exponentialBackoff, pause } from "./backoff.js";

export interface HeadLinkOptions {
  headAddress: string;
  registration: Omit<RegisterNodeRequest, "actorIds">;
  actorCount: () => number;
  /** The latest GPU telemetry, sent with each heartbeat. */
  telemetry?: () => NodeTelemetry | undefined;
  /** The actors whose processes run (or start) on this node now. */
  runningActors: () => string[];
  log: LogFn;
  /** Mutual TLS with the head; plain text when absent. */
  tls?: TlsMaterial | undefined;
  /** The worker's loopback credential token (auth/credential-token.ts). */
  credential?: string | undefined;
  /**
   * The head answered a heartbeat (not asking for a new registration): this node's actors may
   * answer for `validForMs` more, the head's death timeout less one heartbeat interval
   * (runtime/actor-fence.ts).
   */
  onHeadContact?: (validForMs: number) => void;
}

const REGISTER_TIMEOUT_MS = 5_000;
const REPORT_TIMEOUT_MS = 5_000;
const REPORT_ATTEMPTS = 5;
const REPORT_RETRY_MS = 500;
const FATAL_ON_FIRST_REGISTRATION = new Set(["UNAUTHENTICATED", "PERMISSION_DENIED", "INVALID_ARGUMENT"]);

type HeartbeatStream = grpc.ClientDuplexStream<HeartbeatRequest, HeartbeatReply>;

/** registering: not yet registered; connected: heartbeating; reconnecting: registering again. */
export type HeadLinkState = "registering" | "connected" | "reconnecting" | "stopped";

export class HeadLink {
  readonly #options: HeadLinkOptions;
  readonly #pool: ClientPool;
  readonly #service = clusterServices().head;
  readonly #stopped = new AbortController();
  readonly #backoff = exponentialBackoff();
  #stream: HeartbeatStream | undefined;
  #beatTimer: NodeJS.Timeout | undefined;
  /** This node's current registration at the head (RegisterNodeReply.session). */
  #session = "";
  #state: HeadLinkState = "registering";
  #lastReplyMs = 0;
  /** The actors' lease: the head's death timeout less one heartbeat interval (0: not known). */
  #fenceMs = 0;

  /** The actors' lease (0: not known yet): a new actor's first lease, renewed at each reply. */
  get fenceMs(): number {
    return this.#fenceMs;
  }

  constructor(options: HeadLinkOptions) {
    this.#options = options;
    this.#pool = new ClientPool(QUICK_RECONNECT, options.tls, options.credential);
  }

  /** Registers (retrying while the head is unreachable) and starts heartbeating. */
  async start(): Promise<void> {
    const intervalMs = await this.#register(true);
    this.#openStream(intervalMs);
  }

  /** Where the link stands now, and when the head last answered a heartbeat (0: never). */
  get state(): { state: HeadLinkState; lastReplyMs: number } {
    return { state: this.#state, lastReplyMs: this.#lastReplyMs };
  }

  stop(): void {
    this.#state = "stopped";
    this.#stopped.abort();
    this.#closeStream();
    this.#pool.closeAll();
  }

  /**
   * Tells the head that an actor's process exited on its own (best effort, retried a few times;
   * a report the head never gets is made up for by the reconciliation of the next registration).
   */
  reportActorExit(actorId: string, pid: number, cause: string): void {
    void this.#report({ actorId, pid, cause });
  }

  async #report(exit: Pick<ReportActorExitRequest, "actorId" | "pid" | "cause">): Promise<void> {
    const signal = this.#stopped.signal;
    for (let attempt = 1; attempt <= REPORT_ATTEMPTS && !signal.aborted; attempt++) {
      try {
        const request = { nodeId: this.#options.registration.nodeId, session: this.#session, ...exit };
        await unaryCall(this.#client, this.#service.ReportActorExit, request, {
          timeoutMs: REPORT_TIMEOUT_MS,
          signal,
        });
        return;
      } catch (err) {
        if (signal.aborted) return;
        const error = fromServiceError(err);
        this.#options.log(
          `cannot report the exit of actor ${exit.actorId} (attempt ${attempt}): ${error.code}: ${error.message}`,
        );
        await pause(REPORT_RETRY_MS * attempt, signal);
      }
    }
  }

  get #client(): grpc.Client {
    return this.#pool.get(this.#options.headAddress);
  }

  async #register(first: boolean): Promise<number> {
    const signal = this.#stopped.signal;
    this.#backoff.reset();
    let lastProblem = "";
    for (;;) {
      try {
        const registration = { ...this.#options.registration, actorIds: this.#options.runningActors() };
        const reply = await unaryCall(this.#client, this.#service.RegisterNode, registration, {
          timeoutMs: REGISTER_TIMEOUT_MS,
          signal,
        });
        this.#session = reply.session;
        const intervalMs = reply.heartbeatIntervalMs > 0 ? reply.heartbeatIntervalMs : 1_000;
        // A heartbeat interval short of the head's death timeout: this node's actors stop
        // answering before the head can declare it dead, so no answer is in flight past that.
        this.#fenceMs = reply.heartbeatTimeoutMs > intervalMs ? reply.heartbeatTimeoutMs - intervalMs : 0;
        return intervalMs;
      } catch (err) {
        const error: ClusterError = fromServiceError(err);
        if (signal.aborted || (first && FATAL_ON_FIRST_REGISTRATION.has(error.code))) throw error;
        const problem = `${error.code}: ${error.message}`;
        if (problem !== lastProblem) {
          this.#options.log(
            `cannot register with the head at ${this.#options.headAddress} (${problem}); retrying`,
          );
          lastProblem = problem;
        }
        await pause(this.#backoff.next(), signal);
      }
    }
  }

  #openStream(intervalMs: number): void {
    if (this.#stopped.signal.aborted) return;
    const method = this.#service.Heartbeat;
    const stream = this.#client.makeBidiStreamRequest(
      method.path,
      method.requestSerialize,
      method.responseDeserialize,
    );
    this.#stream = stream;
    const beat = () =>
      stream.write({
        nodeId: this.#options.registration.nodeId,
        sentAtMs: Date.now(),
        actorCount: this.#options.actorCount(),
        session: this.#session,
        telemetry: this.#options.telemetry?.() ?? null,
      });
    this.#state = "connected";
    stream.on("data", (reply: HeartbeatReply) => {
      this.#lastReplyMs = Date.now();
      if (reply.reregister) this.#reconnect(stream, "the head asked this node to register again");
      else if (this.#fenceMs > 0) this.#options.onHeadContact?.(this.#fenceMs);
    });
    stream.on("error", (err: unknown) => {
      this.#reconnect(stream, `heartbeat stream broke (${fromServiceError(err).message})`);
    });
    stream.on("end", () => this.#reconnect(stream, "heartbeat stream ended"));
    beat();
    this.#beatTimer = setInterval(beat, intervalMs);
  }

  #reconnect(stream: HeartbeatStream, reason: string): void {
    if (stream !== this.#stream || this.#stopped.signal.aborted) return;
    this.#closeStream();
    this.#state = "reconnecting";
    this.#options.log(`${reason}; registering again`);
    this.#register(false).then(
      (intervalMs) => this.#openStream(intervalMs),
      () => {}, // stopped
    );
  }

  #closeStream(): void {
    clearInterval(this.#beatTimer);
    this.#beatTimer = undefined;
    const stream = this.#stream;
    this.#stream = undefined;
    stream?.cancel();
  }
}
