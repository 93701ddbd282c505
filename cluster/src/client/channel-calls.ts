/**
 * The caller's side of one call on a call channel (actor-channel.ts), as the channel sees it:
 * it feeds the call the replies that carry its id, or a failure when the stream broke. A
 * UnaryCall is a promise; a StreamCall is an async iterator that grants the actor credit as
 * its consumer takes items (half a window at a time), so the actor never runs further ahead of
 * the consumer than one window.
 */
import { ClusterError } from "../errors.js";
import { isClusterErrorCode } from "../grpc/status.js";
import type { ActorChannelReply } from "../grpc/wire.js";

function replyError(reply: ActorChannelReply): ClusterError {
  const code = isClusterErrorCode(reply.errorCode) ? reply.errorCode : "INTERNAL";
  return new ClusterError(code, reply.errorMessage || `the actor answered ${reply.errorCode}`);
}

export interface OpenCall {
  /** A reply for this call; true when it was the call's final one. */
  onReply(reply: ActorChannelReply): boolean;
  /** The call ends without (more of) an answer: cancelled, past its deadline, stream broken. */
  fail(error: ClusterError): void;
  /** Set by the channel: called once the call ends, whichever way. */
  onSettled: (() => void) | undefined;
}

const EMPTY = Buffer.alloc(0);

export class UnaryCall implements OpenCall {
  readonly promise: Promise<Buffer>;
  onSettled: (() => void) | undefined;
  #resolve!: (payload: Buffer) => void;
  #reject!: (error: ClusterError) => void;
  #settled = false;

  constructor() {
    this.promise = new Promise<Buffer>((resolve, reject) => {
      this.#resolve = resolve;
      this.#reject = reject;
    });
  }

  onReply(reply: ActorChannelReply): boolean {
    switch (reply.kind) {
      case "RESULT":
        this.#settle(() => this.#resolve(reply.payload));
        return true;
      case "END": // a streaming method's end cannot reach a unary call; an empty result if it does
        this.#settle(() => this.#resolve(EMPTY));
        return true;
      case "ERROR":
        this.fail(replyError(reply));
        return true;
      default:
        return false;
    }
  }

  fail(error: ClusterError): void {
    this.#settle(() => this.#reject(error));
  }

  #settle(settle: () => void): void {
    if (this.#settled) return;
    this.#settled = true;
    this.onSettled?.();
    settle();
  }
}

export interface StreamControl {
  /** Grants the actor room for `n` more items of this call. */
  credit(n: number): void;
  /** Cancels the call at the actor (the consumer stopped early). */
  cancel(): void;
}

type Waiter = { resolve: (result: IteratorResult<Buffer>) => void; reject: (error: ClusterError) => void };

export class StreamCall implements OpenCall, AsyncIterableIterator<Buffer> {
  onSettled: (() => void) | undefined;
  control: StreamControl | undefined;
  readonly #window: number;
  readonly #items: Buffer[] = [];
  #head = 0;
  #taken = 0;
  #waiter: Waiter | undefined;
  #ended = false;
  #error: ClusterError | undefined;

  /** `window`: the credit the call started with. */
  constructor(window: number) {
    this.#window = window;
  }

  onReply(reply: ActorChannelReply): boolean {
    switch (reply.kind) {
      case "ITEM":
        this.#push(reply.payload);
        return false;
      case "RESULT":
        this.#push(reply.payload);
        this.#end(undefined);
        return true;
      case "END":
        this.#end(undefined);
        return true;
      case "ERROR":
        this.#end(replyError(reply));
        return true;
      default:
        return false;
    }
  }

  fail(error: ClusterError): void {
    this.#end(error);
  }

  next(): Promise<IteratorResult<Buffer>> {
    if (this.#head < this.#items.length) return Promise.resolve({ value: this.#take(), done: false });
    if (this.#error !== undefined) return Promise.reject(this.#error);
    if (this.#ended) return Promise.resolve({ value: undefined, done: true });
    return new Promise((resolve, reject) => {
      this.#waiter = { resolve, reject };
    });
  }

  /** The consumer stopped early (`break`): cancel the call at the actor. */
  async return(): Promise<IteratorResult<Buffer>> {
    if (!this.#ended) {
      this.#end(undefined);
      this.control?.cancel();
    }
    this.#items.length = 0;
    this.#head = 0;
    return { value: undefined, done: true };
  }

  [Symbol.asyncIterator](): AsyncIterableIterator<Buffer> {
    return this;
  }

  #push(item: Buffer): void {
    if (this.#ended) return;
    const waiter = this.#waiter;
    if (waiter !== undefined) {
      this.#waiter = undefined;
      this.#items.push(item);
      waiter.resolve({ value: this.#take(), done: false });
    } else this.#items.push(item);
  }

  #take(): Buffer {
    const item = this.#items[this.#head] as Buffer;
    this.#head += 1;
    if (this.#head === this.#items.length) {
      this.#items.length = 0;
      this.#head = 0;
    }
    this.#taken += 1;
    if (!this.#ended && this.#taken * 2 >= this.#window) {
      this.control?.credit(this.#taken);
      this.#taken = 0;
    }
    return item;
  }

  #end(error: ClusterError | undefined): void {
    if (this.#ended) return;
    this.#ended = true;
    this.#error = error;
    this.onSettled?.();
    const waiter = this.#waiter;
    this.#waiter = undefined;
    if (waiter === undefined) return;
    if (error !== undefined) waiter.reject(error);
    else waiter.resolve({ value: undefined, done: true });
  }
}
