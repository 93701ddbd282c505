/**
 * The caller's end of the call channel to one actor process (Actor.Connect, see actor.proto):
 * one long-lived bidirectional stream carrying many calls at once, each named by a call id.
 *
 * Backpressure: at most `window` calls are open at once; more wait (FIFO) for a slot, which a
 * call holds from its START until the actor's final reply for it. A cancelled call leaves the
 * queue at once if it is still waiting; once sent, its caller is answered at once (CANCELLED or
 * DEADLINE_EXCEEDED) while the actor is told (CANCEL) and the slot frees when the actor ends it.
 * Streaming calls: see channel-calls.ts.
 *
 * Fencing (../grpc/epoch-fence.ts): a call names the incarnation it is for (`incarnation`); its
 * START carries that epoch, and a reply from another epoch, or from one older than the newest
 * the driver has heard of for the actor (`epochs`), fails the call UNAVAILABLE "stale epoch"
 * (a running call is cancelled at the actor): the answer is never handed over. The actor's own
 * refusal of a stale call (FAILED_PRECONDITION) comes through as it is.
 *
 * The stream opens on first use. When it breaks (the actor's process died, the connection
 * dropped) every open call fails with UNAVAILABLE, and the next call opens a new stream.
 */
import type * as grpc from "@grpc/grpc-js";
import { ClusterError } from "../errors.js";
import { CallGate } from "../grpc/call-gate.js";
import { type EpochBook, staleAnswer } from "../grpc/epoch-fence.js";
import { FrameBatcher } from "../grpc/frame-batcher.js";
import { clusterServices } from "../grpc/proto.js";
import { fromServiceError } from "../grpc/status.js";
import type {
  ActorChannelReplies,
  ActorChannelReply,
  ActorChannelRequest,
  ActorChannelRequests,
} from "../grpc/wire.js";
import { type OpenCall, StreamCall, UnaryCall } from "./channel-calls.js";

export interface ActorChannelOptions {
  /** Calls open at once on this channel; more wait for a slot. */
  window: number;
  /** Items a streaming call may receive ahead of its consumer. */
  streamWindow: number;
}

export interface ChannelCallOptions {
  timeoutMs?: number | undefined;
  signal?: AbortSignal | undefined;
  /** Sent with the START frame; the actor host logs the call with it. */
  traceId?: string | undefined;
  /** The actor incarnation the call is for (ActorInfo.actorId and epoch); unchecked when absent. */
  incarnation?: { actorId: string; epoch: number } | undefined;
}

type Stream = grpc.ClientDuplexStream<ActorChannelRequests, ActorChannelReplies>;

interface Open {
  call: OpenCall;
  release: () => void;
  actorId: string;
  /** The epoch called (0: unchecked). */
  epoch: number;
}

const EMPTY = Buffer.alloc(0);
const MAX_CALL_ID = 0xffff_ffff;
/** Argument bytes after which a batch of frames leaves at once. */
const MAX_BATCH_BYTES = 1 << 20;

export class ActorChannel {
  readonly #client: grpc.Client;
  readonly #options: ActorChannelOptions;
  readonly #gate: CallGate;
  readonly #epochs: EpochBook | undefined;
  readonly #open = new Map<number, Open>();
  readonly #batcher = new FrameBatcher<ActorChannelRequest>({
    write: (frames) => (this.#stream ?? this.#connect()).write({ frames }),
    sizeOf: (request) => request.args.length,
    maxBytes: MAX_BATCH_BYTES,
  });
  #stream: Stream | undefined;
  #lastId = 0;
  #closed = false;

  constructor(client: grpc.Client, options: ActorChannelOptions, epochs?: EpochBook) {
    this.#client = client;
    this.#options = options;
    this.#epochs = epochs;
    this.#gate = new CallGate(options.window);
  }

  /** Calls holding a slot / waiting for one. */
  get load(): { open: number; waiting: number } {
    return { open: this.#gate.running, waiting: this.#gate.queued };
  }

  /** One call, one result (JSON bytes). */
  unary(method: string, args: Buffer, options: ChannelCallOptions = {}): Promise<Buffer> {
    const call = new UnaryCall();
    this.#begin(call, method, args, false, options);
    return call.promise;
  }

  /** One call, its items (JSON bytes) as they come; leaving the loop early cancels the call. */
  stream(method: string, args: Buffer, options: ChannelCallOptions = {}): AsyncIterableIterator<Buffer> {
    const call = new StreamCall(this.#options.streamWindow);
    this.#begin(call, method, args, true, options);
    return call;
  }

  /** Fails every call with UNAVAILABLE and closes the stream; the channel is not used again. */
  close(): void {
    this.#closed = true;
    const stream = this.#stream;
    this.#failOpen(new ClusterError("UNAVAILABLE", "the cluster client was closed"));
    stream?.cancel();
  }

  #begin(
    call: OpenCall,
    method: string,
    args: Buffer,
    streaming: boolean,
    options: ChannelCallOptions,
  ): void {
    const { signal, timeoutMs } = options;
    if (this.#closed || signal?.aborted) {
      call.fail(
        this.#closed
          ? new ClusterError("UNAVAILABLE", "the cluster client was closed")
          : new ClusterError("CANCELLED", "call cancelled before it started"),
      );
      return;
    }
    let id: number | undefined;
    const cancel = (error: ClusterError) => {
      call.fail(error);
      if (ticket.withdraw() || id === undefined || this.#open.get(id)?.call !== call) return;
      this.#write({ callId: id, kind: "CANCEL", method: "", args: EMPTY, streaming: false, credit: 0 });
    };
    const onAbort = () => cancel(new ClusterError("CANCELLED", "call cancelled by the caller"));
    const timer =
      timeoutMs === undefined
        ? undefined
        : setTimeout(
            () =>
              cancel(new ClusterError("DEADLINE_EXCEEDED", `${method}: no answer within ${timeoutMs} ms`)),
            timeoutMs,
          );
    signal?.addEventListener("abort", onAbort, { once: true });
    call.onSettled = () => {
      clearTimeout(timer);
      signal?.removeEventListener("abort", onAbort);
    };
    if (call instanceof StreamCall) {
      call.control = {
        credit: (credit) => {
          if (id !== undefined && this.#open.get(id)?.call === call)
            this.#write({ callId: id, kind: "CREDIT", method: "", args: EMPTY, streaming: false, credit });
        },
        cancel: () => cancel(new ClusterError("CANCELLED", "the consumer stopped reading the stream")),
      };
    }
    const ticket = this.#gate.enter(
      () =>
        new Promise<void>((release) => {
          if (this.#closed) {
            call.fail(new ClusterError("UNAVAILABLE", "the cluster client was closed"));
            release();
            return;
          }
          id = this.#nextId();
          const { actorId = "", epoch = 0 } = options.incarnation ?? {};
          this.#open.set(id, { call, release, actorId, epoch });
          const credit = streaming ? this.#options.streamWindow : 0;
          const traceId = options.traceId ?? "";
          this.#write({ callId: id, kind: "START", method, args, streaming, credit, traceId, epoch });
        }),
    );
  }

  #nextId(): number {
    do this.#lastId = this.#lastId >= MAX_CALL_ID ? 1 : this.#lastId + 1;
    while (this.#open.has(this.#lastId));
    return this.#lastId;
  }

  #write(request: ActorChannelRequest): void {
    this.#batcher.push(request);
  }

  #connect(): Stream {
    const method = clusterServices().actor.Connect;
    const stream = this.#client.makeBidiStreamRequest(
      method.path,
      method.requestSerialize,
      method.responseDeserialize,
    );
    stream.on("data", (batch: ActorChannelReplies) => {
      for (const reply of batch.frames) this.#onReply(reply);
    });
    stream.on("error", (err: unknown) => this.#broken(stream, fromServiceError(err).message));
    stream.on("end", () => this.#broken(stream, "the actor closed the channel"));
    this.#stream = stream;
    return stream;
  }

  #onReply(reply: ActorChannelReply): void {
    const open = this.#open.get(reply.callId);
    if (open === undefined) return;
    const stale = this.#stale(open, reply);
    if (stale !== undefined) {
      open.call.fail(stale);
      if (reply.kind === "ITEM") {
        // The call runs on at the stale incarnation: stop it; its final reply frees the slot.
        this.#write({
          callId: reply.callId,
          kind: "CANCEL",
          method: "",
          args: EMPTY,
          streaming: false,
          credit: 0,
        });
        return;
      }
    } else if (!open.call.onReply(reply)) return;
    this.#open.delete(reply.callId);
    open.release();
  }

  /** The refusal of a reply from another incarnation than the call's (epoch-fence.ts), else undefined. */
  #stale(open: Open, reply: ActorChannelReply) {
    if (open.epoch === 0) return undefined;
    // The actor refused the call as stale: nothing was computed; its own error says so.
    if (reply.kind === "ERROR" && reply.errorCode === "FAILED_PRECONDITION") return undefined;
    return staleAnswer(open.epoch, reply.epoch ?? 0, this.#epochs?.newest(open.actorId) ?? 0);
  }

  #broken(stream: Stream, why: string): void {
    if (stream !== this.#stream) return;
    this.#failOpen(new ClusterError("UNAVAILABLE", `the call channel to the actor broke: ${why}`));
  }

  #failOpen(error: ClusterError): void {
    this.#stream = undefined;
    this.#batcher.clear();
    const open = [...this.#open.values()];
    this.#open.clear();
    for (const { call, release } of open) {
      call.fail(error);
      release();
    }
  }
}
