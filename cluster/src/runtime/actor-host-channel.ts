/**
 * The actor's end of one call channel (Actor.Connect, see actor.proto): many calls from one
 * caller on one bidirectional stream, each named by its call id.
 *
 *   START  ──▶ queued in the actor's gate ──▶ running ──▶ RESULT | ITEM* END | ERROR
 *                 │ CANCEL: leaves the queue,     │ CANCEL: its signal aborts; the final
 *                 │ never runs; ERROR CANCELLED   │ message is whatever the code ends with
 *
 * Streaming calls send an item only while the caller's credit for that call is positive and
 * the stream's write buffer has room ('drain'); CREDIT frames raise the credit. When the
 * caller goes away (the stream ends or breaks) every call of the channel is aborted.
 *
 * Each call is counted in `deps.calls` when its final message is sent: its method, its outcome
 * ("ok" or the ERROR's code) and its time since START (queueing included).
 */
import type * as grpc from "@grpc/grpc-js";
import { ClusterError } from "../errors.js";
import type { CallGate, GateTicket } from "../grpc/call-gate.js";
import { staleCall } from "../grpc/epoch-fence.js";
import { FrameBatcher } from "../grpc/frame-batcher.js";
import type {
  ActorChannelReplies,
  ActorChannelReply,
  ActorChannelRequest,
  ActorChannelRequests,
} from "../grpc/wire.js";
import type { LogFn } from "../logging/logger.js";
import { type CallHistogram, callOutcome } from "../metrics/call-histogram.js";
import type { ActorInstance } from "./actor-class.js";
import { abortError, type CallSink, runCall } from "./actor-host-run.js";

export type ChannelStream = grpc.ServerDuplexStream<ActorChannelRequests, ActorChannelReplies>;

export interface ChannelDeps {
  instance: ActorInstance;
  gate: CallGate;
  /** An error while the actor refuses new calls (it is stopping), else undefined. */
  refusal(): ClusterError | undefined;
  /** The actor's fence (actor-fence.ts): answers are withheld while it refuses. */
  fenced(): ClusterError | undefined;
  /**
   * This incarnation's epoch (../grpc/epoch-fence.ts): a START naming another is refused, and
   * every reply carries it.
   */
  epoch: number;
  /** Told once, when the stream is over. */
  onClose(channel: ServerChannel): void;
  /** Where calls that carry a trace id are logged (with it); nothing is logged when absent. */
  log?: LogFn | undefined;
  /** Where every call's duration and outcome are counted. */
  calls?: CallHistogram | undefined;
}

interface ServerCall {
  readonly id: number;
  readonly method: string;
  /** performance.now() at START. */
  readonly startedMs: number;
  readonly controller: AbortController;
  ticket: GateTicket | undefined;
  /** Items the caller still has room for (streaming calls). */
  credit: number;
  /** An item waiting for credit or for the stream to drain. */
  wake: (() => void) | undefined;
  done: boolean;
  /** Set for a call whose caller gave a trace id (it is logged when it ends). */
  traceId?: string;
}

const EMPTY = Buffer.alloc(0);
/** Payload bytes after which a batch of replies leaves at once. */
const MAX_BATCH_BYTES = 1 << 20;

export class ServerChannel {
  readonly #stream: ChannelStream;
  readonly #deps: ChannelDeps;
  readonly #calls = new Map<number, ServerCall>();
  readonly #batcher: FrameBatcher<ActorChannelReply>;
  #closed = false;

  constructor(stream: ChannelStream, deps: ChannelDeps) {
    this.#stream = stream;
    this.#deps = deps;
    this.#batcher = new FrameBatcher({
      write: (frames) => stream.write({ frames }),
      sizeOf: (reply) => reply.payload.length + reply.errorMessage.length,
      maxBytes: MAX_BATCH_BYTES,
    });
    stream.on("data", (batch: ActorChannelRequests) => {
      for (const request of batch.frames) this.#onRequest(request);
    });
    stream.on("drain", () => {
      this.#batcher.drained();
      for (const call of this.#calls.values()) this.#wake(call);
    });
    const gone = () => this.close(new ClusterError("CANCELLED", "the caller disconnected"));
    stream.on("end", gone);
    stream.on("cancelled", gone);
    stream.on("error", gone);
    stream.on("close", gone);
  }

  /** Aborts every call of this channel (queued ones end at once) with `error`. */
  abortAll(error: ClusterError): void {
    for (const call of [...this.#calls.values()]) this.#abort(call, error);
  }

  /** Ends the stream; calls still open are aborted first. */
  close(error: ClusterError): void {
    this.abortAll(error);
    if (this.#closed) return;
    this.#batcher.flush();
    this.#closed = true;
    this.#stream.end();
    this.#deps.onClose(this);
  }

  #onRequest(request: ActorChannelRequest): void {
    switch (request.kind) {
      case "START":
        this.#start(request);
        return;
      case "CANCEL": {
        const call = this.#calls.get(request.callId);
        if (call !== undefined)
          this.#abort(call, new ClusterError("CANCELLED", "the caller cancelled the call"));
        return;
      }
      case "CREDIT": {
        const call = this.#calls.get(request.callId);
        if (call === undefined) return;
        call.credit += request.credit;
        this.#wake(call);
        return;
      }
      default:
    }
  }

  #start(request: ActorChannelRequest): void {
    const { callId } = request;
    const startedMs = performance.now();
    const refusal = this.#deps.refusal() ?? staleCall(this.#deps.epoch, request.epoch ?? 0);
    if (refusal !== undefined || this.#calls.has(callId)) {
      const error = refusal ?? new ClusterError("INVALID_ARGUMENT", `call id ${callId} is already open`);
      this.#send(errorReply(callId, error));
      this.#deps.calls?.observe(request.method, callOutcome(error.code), 0);
      return;
    }
    const call: ServerCall = {
      id: callId,
      method: request.method,
      startedMs,
      controller: new AbortController(),
      ticket: undefined,
      credit: request.credit,
      wake: undefined,
      done: false,
    };
    if (request.traceId && this.#deps.log !== undefined) {
      call.traceId = request.traceId;
    }
    this.#calls.set(callId, call);
    const sink = this.#sink(call);
    const { signal } = call.controller;
    call.ticket = this.#deps.gate.enter(() =>
      runCall(
        this.#deps.instance,
        { method: request.method, args: request.args, streaming: request.streaming },
        signal,
        sink,
      ),
    );
  }

  #abort(call: ServerCall, error: ClusterError): void {
    if (call.done) return;
    if (call.ticket?.withdraw()) {
      this.#finish(call, errorReply(call.id, error));
      return;
    }
    if (!call.controller.signal.aborted) call.controller.abort(error);
    this.#wake(call);
  }

  #sink(call: ServerCall): CallSink {
    const { signal } = call.controller;
    return {
      item: async (payload) => {
        if (signal.aborted) throw abortError(signal);
        const fenced = this.#deps.fenced();
        if (fenced !== undefined) throw fenced;
        this.#send({ callId: call.id, kind: "ITEM", payload, errorCode: "", errorMessage: "" });
        call.credit -= 1;
        while (!signal.aborted && (call.credit <= 0 || this.#batcher.full)) {
          await new Promise<void>((resolve) => {
            call.wake = resolve;
          });
        }
        call.wake = undefined;
        if (signal.aborted) throw abortError(signal);
      },
      result: (payload) => {
        const fenced = this.#deps.fenced();
        if (fenced !== undefined) return this.#finish(call, errorReply(call.id, fenced));
        this.#finish(call, { callId: call.id, kind: "RESULT", payload, errorCode: "", errorMessage: "" });
      },
      end: () =>
        this.#finish(call, { callId: call.id, kind: "END", payload: EMPTY, errorCode: "", errorMessage: "" }),
      error: (error) => this.#finish(call, errorReply(call.id, error)),
    };
  }

  #wake(call: ServerCall): void {
    const wake = call.wake;
    if (wake === undefined) return;
    if (call.controller.signal.aborted || (call.credit > 0 && !this.#batcher.full)) {
      call.wake = undefined;
      wake();
    }
  }

  #finish(call: ServerCall, reply: ActorChannelReply): void {
    if (call.done) return;
    call.done = true;
    this.#calls.delete(call.id);
    this.#send(reply);
    const elapsedMs = performance.now() - call.startedMs;
    this.#deps.calls?.observe(call.method, callOutcome(reply.errorCode), elapsedMs / 1000);
    if (call.traceId !== undefined) this.#logCall(call, call.traceId, elapsedMs, reply);
  }

  #logCall(call: ServerCall, traceId: string, elapsedMs: number, reply: ActorChannelReply): void {
    const ms = Math.round(elapsedMs * 10) / 10;
    const failed = reply.kind === "ERROR";
    const outcome = failed ? `${reply.errorCode}: ${reply.errorMessage}` : "ok";
    this.#deps.log?.(`call ${call.method} ${outcome} in ${ms} ms`, {
      level: failed ? "warn" : "info",
      traceId,
      callId: call.id,
      method: call.method,
      durationMs: ms,
    });
  }

  #send(reply: ActorChannelReply): void {
    if (this.#closed) return;
    if (this.#deps.epoch !== 0) reply.epoch = this.#deps.epoch;
    this.#batcher.push(reply);
  }
}

function errorReply(callId: number, error: ClusterError): ActorChannelReply {
  return { callId, kind: "ERROR", payload: EMPTY, errorCode: error.code, errorMessage: error.message };
}
