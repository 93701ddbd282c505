/**
 * The worker's link to the head (Ray's raylet <-> GCS): register, then keep a heartbeat stream.
 *
 *   start() ──▶ RegisterNode ──▶ Heartbeat stream, one beat every heartbeatIntervalMs
 *                   ▲   (retried with backoff         │
 *                   │    until the head answers)      │ reply says `reregister` (the head forgot
 *                   │                                 │ this node: it restarted, or marked us DEAD)
 *                   └─────────────────────────────────┤ or the stream broke / ended
 *
 * The first registration fails fast on UNAUTHENTICATED (bad node token) and INVALID_ARGUMENT:
 * retrying cannot fix them. Later re-registrations retry whatever the error, until stop().
 */
import type * as grpc from "@grpc/grpc-js";
import type { ClusterError } from "../errors.js";
import { unaryCall } from "../grpc/call.js";
import { ClientPool, QUICK_RECONNECT } from "../grpc/client-pool.js";
import { clusterServices } from "../grpc/proto.js";
import { fromServiceError } from "../grpc/status.js";
import type { TlsMaterial } from "../grpc/tls.js";
import type { HeartbeatReply, HeartbeatRequest, RegisterNodeRequest } from "../grpc/wire.js";
import { exponentialBackoff, pause } from "./backoff.js";

export interface HeadLinkOptions {
  headAddress: string;
  registration: RegisterNodeRequest;
  actorCount: () => number;
  log: (message: string) => void;
  /** Mutual TLS with the head; plain text when absent. */
  tls?: TlsMaterial | undefined;
}

const REGISTER_TIMEOUT_MS = 5_000;
const FATAL_ON_FIRST_REGISTRATION = new Set(["UNAUTHENTICATED", "INVALID_ARGUMENT"]);

type HeartbeatStream = grpc.ClientDuplexStream<HeartbeatRequest, HeartbeatReply>;

export class HeadLink {
  readonly #options: HeadLinkOptions;
  readonly #pool: ClientPool;
  readonly #service = clusterServices().head;
  readonly #stopped = new AbortController();
  readonly #backoff = exponentialBackoff();
  #stream: HeartbeatStream | undefined;
  #beatTimer: NodeJS.Timeout | undefined;

  constructor(options: HeadLinkOptions) {
    this.#options = options;
    this.#pool = new ClientPool(QUICK_RECONNECT, options.tls);
  }

  /** Registers (retrying while the head is unreachable) and starts heartbeating. */
  async start(): Promise<void> {
    const intervalMs = await this.#register(true);
    this.#openStream(intervalMs);
  }

  stop(): void {
    this.#stopped.abort();
    this.#closeStream();
    this.#pool.closeAll();
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
        const reply = await unaryCall(this.#client, this.#service.RegisterNode, this.#options.registration, {
          timeoutMs: REGISTER_TIMEOUT_MS,
          signal,
        });
        return reply.heartbeatIntervalMs > 0 ? reply.heartbeatIntervalMs : 1_000;
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
      });
    stream.on("data", (reply: HeartbeatReply) => {
      if (reply.reregister) this.#reconnect(stream, "the head asked this node to register again");
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
