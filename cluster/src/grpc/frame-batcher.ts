/**
 * Coalesces the frames one side of a call channel has ready into one stream message: frames
 * pushed during one turn of the event loop leave together (setImmediate), so 64 concurrent
 * calls cost one gRPC message each way instead of 64, while a lone call waits no longer than
 * the rest of the current turn. A batch is also cut once it holds maxBytes of payload, to stay
 * well inside gRPC's message size limit.
 */
export interface BatcherOptions<F> {
  /** Writes one batch; returns false when the transport asks the sender to wait ('drain'). */
  write: (frames: F[]) => boolean;
  /** Payload bytes of one frame (the batch's size estimate). */
  sizeOf: (frame: F) => number;
  maxBytes: number;
}

/** Frame overhead counted on top of its payload. */
const FRAME_OVERHEAD_BYTES = 32;

export class FrameBatcher<F> {
  readonly #options: BatcherOptions<F>;
  #frames: F[] = [];
  #bytes = 0;
  #scheduled: NodeJS.Immediate | undefined;
  #full = false;

  constructor(options: BatcherOptions<F>) {
    this.#options = options;
  }

  /** True while the transport's buffer is full (the last write returned false). */
  get full(): boolean {
    return this.#full;
  }

  /** The transport drained. */
  drained(): void {
    this.#full = false;
  }

  push(frame: F): void {
    this.#frames.push(frame);
    this.#bytes += this.#options.sizeOf(frame) + FRAME_OVERHEAD_BYTES;
    if (this.#bytes >= this.#options.maxBytes) this.flush();
    else this.#scheduled ??= setImmediate(() => this.flush());
  }

  flush(): void {
    if (this.#scheduled !== undefined) clearImmediate(this.#scheduled);
    this.#scheduled = undefined;
    if (this.#frames.length === 0) return;
    const frames = this.#frames;
    this.#frames = [];
    this.#bytes = 0;
    if (!this.#options.write(frames)) this.#full = true;
  }

  /** Drops frames not sent yet (the stream is gone). */
  clear(): void {
    if (this.#scheduled !== undefined) clearImmediate(this.#scheduled);
    this.#scheduled = undefined;
    this.#frames = [];
    this.#bytes = 0;
  }
}
