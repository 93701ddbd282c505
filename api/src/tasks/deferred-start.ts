import type { StartedTask } from "./start-statement.js";

/**
 * Deferred start: a task priced per call whose job (or local start) carries its input and its
 * charge (task-queue.ts TaskCharge) needs nothing read back at its start, so its start is not
 * written at once. (A per-millisecond task's start is always written: cancelled while RUNNING, it
 * pays for its time since then.) Its call goes out on the leased replica, and:
 *   - the call ends within `delayMs` (a fast model: the common case): the capture writes the
 *     start (scheduled_at, started_at, the actor, the attempt) with the final state, in the
 *     same statement; SCHEDULED, RUNNING and the final state are announced together after it.
 *     One statement per task instead of two.
 *   - the call is still running after `delayMs`: the start is written then (the dispatcher's
 *     grouped start statement, with the real start time) and SCHEDULED + RUNNING announced, as
 *     for any task; the capture waits for that write if it is in flight.
 * Either way a state is announced only once it is stored, in order, and a task found final by
 * the deferred write (cancelled meanwhile) has its call aborted (`onFinal`); the capture's own
 * guard (not final, of this model) charges nothing for such a task. What a reader of the table
 * sees: a task that runs for less than `delayMs` goes from QUEUED to its final state.
 */
export interface DeferredStart {
  /** The attempt's number, written with the start. */
  readonly attempts: number;
  /**
   * No start is written after this (the attempt is ending); resolves once a write in flight has
   * ended: true when SCHEDULED and RUNNING are stored and announced.
   */
  settle(): Promise<boolean>;
}

export interface DeferStartOptions {
  attempts: number;
  delayMs: number;
  /** Writes the start (null: the task is final, or not found). */
  write: () => Promise<StartedTask | null>;
  /** Announces SCHEDULED and RUNNING. */
  announce: (task: StartedTask) => Promise<void>;
  /** The task was found final: the attempt's call is aborted. */
  onFinal: () => void;
  log: (msg: string) => void;
}

export function deferStart(opts: DeferStartOptions): DeferredStart {
  let written: Promise<boolean> | undefined;
  const timer = setTimeout(() => {
    written = (async () => {
      const task = await opts.write();
      if (!task) {
        opts.onFinal();
        return false;
      }
      await opts.announce(task);
      return true;
    })().catch((err: unknown) => {
      // Not stored or not announced: the capture writes the start and announces it all.
      opts.log(`deferred start: ${String(err)}`);
      return false;
    });
  }, opts.delayMs);
  return {
    attempts: opts.attempts,
    settle: () => {
      clearTimeout(timer);
      return written ?? Promise.resolve(false);
    },
  };
}
