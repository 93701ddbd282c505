import { TaskStatus } from "@neurogrid/schema";

/**
 * The task lifecycle: every state a task can be in, every event that moves it, and what each
 * move writes and announces. Pure: the task store (task-store.ts) runs the writes, each as one
 * statement guarded by the states named here; the attempt runner (attempt-runner.ts) raises the
 * events; nothing else moves a task.
 *
 *                hold                 schedule               start
 *     (none) ──────────▶ QUEUED ──────────────▶ SCHEDULED ──────────▶ RUNNING
 *                          │ ╰──────────────── start ──────────────────▶ │ ▲
 *                          │                                            │ │ schedule | start
 *                          │                                            │ │ (the next attempt,
 *                          │                                            │ ╰─ after a retry)
 *                          │                                            ├── complete ──▶ COMPLETED
 *                          │                                            ╰── cut short ─▶ FAILED | CANCELLED
 *                          ╰── fail | cancel (from any open state) ───────────────────▶ FAILED | CANCELLED
 *
 *   event      from            to                   writes                   announces
 *   hold       (none)          QUEUED               the task, its hold       nothing (a subscriber
 *                                                                            replays QUEUED)
 *   schedule   open            SCHEDULED            the attempt's start      SCHEDULED
 *   start      open            RUNNING              the attempt's start      SCHEDULED (unless it
 *                                                                            is), RUNNING
 *   complete   open            COMPLETED            result + capture         COMPLETED
 *   cutShort   open            FAILED | CANCELLED   what ran + capture       FAILED | CANCELLED
 *   fail       open            FAILED               refund                   FAILED
 *   cancel     open            CANCELLED            refund                   CANCELLED
 *   retry      open            (unchanged)          nothing                  nothing
 *   any event  final           (unchanged)          nothing                  nothing
 *
 * Open states are QUEUED, SCHEDULED and RUNNING; final ones COMPLETED, FAILED and CANCELLED.
 * Invariants (task-lifecycle.test.ts drives random event sequences — duplicates, reordering,
 * crashes and restarts between any two writes — and checks each):
 *   - a final state absorbs: no event moves it or writes anything;
 *   - a task is held once, before anything else is written of it; no attempt starts (and so no
 *     provider computes) for a task that is not held;
 *   - a task is captured at most once, refunded at most once, and never both;
 *   - every movement balances (ledger/movements.ts).
 * A deferred start (deferred-start.ts) is a start whose write the capture carries: the same two
 * transitions written by one statement, guarded by the start's states.
 * Room for more: a new state (result verification next) is a new row here and a new guard.
 */

/** A state a task can be in once it exists. */
export type TaskState = TaskStatus;

export const OPEN_STATES: readonly TaskState[] = [
  TaskStatus.QUEUED,
  TaskStatus.SCHEDULED,
  TaskStatus.RUNNING,
];
export const FINAL_STATES: readonly TaskState[] = [
  TaskStatus.COMPLETED,
  TaskStatus.FAILED,
  TaskStatus.CANCELLED,
];

export type LifecycleEvent =
  | { type: "hold" }
  | { type: "schedule" }
  | { type: "start" }
  | { type: "complete" }
  | { type: "cutShort"; status: typeof TaskStatus.FAILED | typeof TaskStatus.CANCELLED }
  | { type: "fail" }
  | { type: "cancel" }
  | { type: "retry" };

/** What a transition writes, in one statement: the task row and at most one movement. */
type LifecycleWrite = "task" | "start" | "final" | "hold" | "capture" | "refund";

export interface Transition {
  /** The state after the event (the same one when nothing happens). */
  next: TaskState | undefined;
  writes: readonly LifecycleWrite[];
  announces: readonly TaskState[];
}

const NOTHING: readonly never[] = [];

function isOpen(state: TaskState | undefined): state is TaskState {
  return state !== undefined && OPEN_STATES.includes(state);
}

/**
 * (state, event) -> (next state, writes, announcements). `undefined` is a task not yet written:
 * only `hold` creates one, and nothing else happens to it.
 */
export function transition(state: TaskState | undefined, event: LifecycleEvent): Transition {
  const stay: Transition = { next: state, writes: NOTHING, announces: NOTHING };
  if (state === undefined) {
    return event.type === "hold"
      ? { next: TaskStatus.QUEUED, writes: ["task", "hold"], announces: NOTHING }
      : stay;
  }
  if (!isOpen(state)) return stay;
  switch (event.type) {
    case "hold":
    case "retry":
      return stay;
    case "schedule":
      return { next: TaskStatus.SCHEDULED, writes: ["start"], announces: [TaskStatus.SCHEDULED] };
    case "start":
      return {
        next: TaskStatus.RUNNING,
        writes: ["start"],
        announces:
          state === TaskStatus.SCHEDULED ? [TaskStatus.RUNNING] : [TaskStatus.SCHEDULED, TaskStatus.RUNNING],
      };
    case "complete":
      return { next: TaskStatus.COMPLETED, writes: ["final", "capture"], announces: [TaskStatus.COMPLETED] };
    case "cutShort":
      return { next: event.status, writes: ["final", "capture"], announces: [event.status] };
    case "fail":
      return { next: TaskStatus.FAILED, writes: ["final", "refund"], announces: [TaskStatus.FAILED] };
    case "cancel":
      return { next: TaskStatus.CANCELLED, writes: ["final", "refund"], announces: [TaskStatus.CANCELLED] };
  }
}

/** The states an event may move a task from (each write's SQL guard: `status = any(...)`). */
export function movesFrom(event: LifecycleEvent["type"]): readonly TaskState[] {
  return event === "hold" ? NOTHING : OPEN_STATES;
}

/** The guard's states as a PostgreSQL text[] literal (a bind parameter of the statements). */
export function statesLiteral(states: readonly TaskState[]): string {
  return `{${states.join(",")}}`;
}
