import { setTimeout as sleep } from "node:timers/promises";
import type { Child } from "./child-process.js";

/**
 * A child that `neurogrid up` keeps running: when it exits without being asked to (kill -9, a
 * crash), it is started again with the same arguments after a backoff, and `up` says so on
 * screen. The backoff doubles with each crash that comes soon after a start (a crash loop), from
 * FIRST_BACKOFF_MS up to MAX_BACKOFF_MS; a child that ran for STABLE_AFTER_MS starts the count
 * again. A start that fails is retried the same way. `stop()` ends the supervision first, then
 * the child.
 */
export interface SupervisedOptions {
  name: string;
  /** Starts the child (resolves once it is ready). */
  start: () => Promise<Child>;
  /** A line for the screen. */
  say: (line: string) => void;
  /** Tests: the wait before restart number n (1-based) of a crash loop. */
  backoffMs?: (n: number) => number;
}

const FIRST_BACKOFF_MS = 1_000;
const MAX_BACKOFF_MS = 30_000;
/** A child that ran this long before it exited is not in a crash loop. */
const STABLE_AFTER_MS = 60_000;

export function restartBackoffMs(n: number): number {
  return Math.min(MAX_BACKOFF_MS, FIRST_BACKOFF_MS * 2 ** Math.max(0, n - 1));
}

export class Supervised {
  readonly #o: SupervisedOptions;
  #child: Child;
  #startedAt = Date.now();
  #loop = 0;
  #stopping = false;
  readonly #stopped = new AbortController();
  #restarting: Promise<void> | undefined;
  /** How many times it was started again. */
  restarts = 0;

  private constructor(o: SupervisedOptions, child: Child) {
    this.#o = o;
    this.#child = child;
  }

  static async start(o: SupervisedOptions): Promise<Supervised> {
    const supervised = new Supervised(o, await o.start());
    supervised.#watch();
    return supervised;
  }

  /** The running child's PID. */
  get pid(): number | undefined {
    return this.#child.process.pid;
  }

  async stop(): Promise<void> {
    this.#stopping = true;
    this.#stopped.abort();
    await this.#restarting;
    await this.#child.stop();
  }

  #watch(): void {
    this.#child.process.once("exit", (code, signal) => {
      if (this.#stopping) return;
      const why = signal ? `killed by ${signal}` : `exited with code ${code}`;
      this.#restarting = this.#restart(why);
    });
  }

  async #restart(why: string): Promise<void> {
    const { name, say } = this.#o;
    this.#loop = Date.now() - this.#startedAt >= STABLE_AFTER_MS ? 1 : this.#loop + 1;
    for (;;) {
      const wait = (this.#o.backoffMs ?? restartBackoffMs)(this.#loop);
      say(`${name} ${why}; starting it again in ${(wait / 1000).toFixed(1)} s`);
      const slept = await sleep(wait, true, { signal: this.#stopped.signal }).catch(() => false);
      if (!slept || this.#stopping) return;
      try {
        this.#child = await this.#o.start();
      } catch (err) {
        why = `did not start (${err instanceof Error ? err.message : String(err)})`;
        this.#loop += 1;
        continue;
      }
      if (this.#stopping) {
        await this.#child.stop();
        return;
      }
      this.#startedAt = Date.now();
      this.restarts += 1;
      say(`${name} running again (pid ${this.pid})`);
      this.#watch();
      return;
    }
  }
}
