/**
 * A bounded number of calls at once, the rest waiting in one FIFO queue; a waiting call can
 * leave the queue (cancelled) without ever running. Both ends of the call channel use it: the
 * caller's in-flight window (a slot is held from START until the call's final reply) and
 * maxConcurrency inside an actor process (across every caller and channel). `idle()` lets a
 * graceful stop wait for the work to drain.
 */

export interface GateTicket {
  /** Takes the call out of the queue if it is still waiting: true then (it will never run). */
  withdraw(): boolean;
}

interface Waiting {
  run: () => Promise<void>;
  queued: boolean;
}

export class CallGate {
  readonly limit: number;
  #running = 0;
  #peak = 0;
  readonly #queue: Waiting[] = [];
  #head = 0;
  #queued = 0;
  #idleWaiters: (() => void)[] = [];

  constructor(limit: number) {
    if (!Number.isInteger(limit) || limit < 1) throw new RangeError(`concurrency limit ${limit} is not >= 1`);
    this.limit = limit;
  }

  get running(): number {
    return this.#running;
  }

  get queued(): number {
    return this.#queued;
  }

  /** The most calls that ever ran at once. */
  get peak(): number {
    return this.#peak;
  }

  /** Runs `run` now if a slot is free, else once one frees; `run` must not throw synchronously. */
  enter(run: () => Promise<void>): GateTicket {
    const waiting: Waiting = { run, queued: true };
    if (this.#running < this.limit) {
      waiting.queued = false;
      this.#start(waiting);
    } else {
      this.#queue.push(waiting);
      this.#queued += 1;
    }
    return {
      withdraw: () => {
        if (!waiting.queued) return false;
        waiting.queued = false;
        this.#queued -= 1;
        this.#notifyIfIdle();
        return true;
      },
    };
  }

  /** Resolves true once nothing runs and nothing waits, or false after timeoutMs. */
  idle(timeoutMs: number): Promise<boolean> {
    if (this.#running === 0 && this.#queued === 0) return Promise.resolve(true);
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.#idleWaiters = this.#idleWaiters.filter((waiter) => waiter !== onIdle);
        resolve(false);
      }, timeoutMs);
      const onIdle = () => {
        clearTimeout(timer);
        resolve(true);
      };
      this.#idleWaiters.push(onIdle);
    });
  }

  #start(waiting: Waiting): void {
    this.#running += 1;
    if (this.#running > this.#peak) this.#peak = this.#running;
    const release = () => {
      this.#running -= 1;
      this.#next();
    };
    waiting.run().then(release, release);
  }

  #next(): void {
    while (this.#running < this.limit && this.#head < this.#queue.length) {
      const waiting = this.#queue[this.#head] as Waiting;
      this.#head += 1;
      if (!waiting.queued) continue;
      waiting.queued = false;
      this.#queued -= 1;
      this.#start(waiting);
    }
    if (this.#head > 1024 && this.#head * 2 > this.#queue.length) {
      this.#queue.splice(0, this.#head);
      this.#head = 0;
    }
    this.#notifyIfIdle();
  }

  #notifyIfIdle(): void {
    if (this.#running !== 0 || this.#queued !== 0) return;
    this.#queue.length = 0;
    this.#head = 0;
    const waiters = this.#idleWaiters;
    this.#idleWaiters = [];
    for (const resolve of waiters) resolve();
  }
}
