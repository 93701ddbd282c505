import { VerificationStatus } from "@neurogrid/schema";

/**
 * Result verification's states, after a task's own lifecycle (tasks/task-lifecycle.ts) has
 * COMPLETED it: pure, as that one is. The store (verification-store.ts) runs each write as one
 * statement guarded by the states named here; an announcement follows each move.
 *
 *                 sample              agree
 *   UNCHECKED ───────────▶ SAMPLED ──────────▶ VERIFIED
 *       ▲                     │ │
 *       ╰──── abandon ────────╯ │ disagree               resolve (the referee's run)
 *                               ╰──────────▶ DISPUTED ─────────────────────────▶ RESOLVED
 *
 *   event      from        to          writes
 *   sample     UNCHECKED   SAMPLED     the verification row
 *   agree      SAMPLED     VERIFIED    the checking node, the verdict; the task's pending
 *                                      provider share released
 *   abandon    SAMPLED     UNCHECKED   the verdict (why no check ran: no replica of another
 *                                      provider, or its run failed); the row stays, so the
 *                                      task is never sampled again; a `verify` task's extra
 *                                      run refunded
 *   disagree   SAMPLED     DISPUTED    the checking node, its result, the verdict
 *   resolve    DISPUTED    RESOLVED    the referee, its result as the task's result when the
 *                                      task's own node was at fault, a fault against the node
 *                                      at fault (node_faults), the verdict; the task's share
 *                                      forfeited to the client (its node at fault) or released,
 *                                      and the penalty of the node at fault
 *   any other  (unchanged)             nothing
 *
 * Only a COMPLETED task is sampled (a failed or cancelled one has no result to check).
 * The money of each move is written by the same statement (ledger/verification-money.ts).
 * VERIFIED and RESOLVED absorb: no event moves them. Each event moves a task at most once,
 * whoever raises it and however often (verification-lifecycle.test.ts drives random sequences).
 */
export type VerificationEvent =
  | { type: "sample" }
  | { type: "agree" }
  | { type: "disagree" }
  | { type: "abandon" }
  | { type: "resolve" };

const MOVES: Record<VerificationEvent["type"], { from: VerificationStatus; to: VerificationStatus }> = {
  sample: { from: VerificationStatus.UNCHECKED, to: VerificationStatus.SAMPLED },
  agree: { from: VerificationStatus.SAMPLED, to: VerificationStatus.VERIFIED },
  disagree: { from: VerificationStatus.SAMPLED, to: VerificationStatus.DISPUTED },
  abandon: { from: VerificationStatus.SAMPLED, to: VerificationStatus.UNCHECKED },
  resolve: { from: VerificationStatus.DISPUTED, to: VerificationStatus.RESOLVED },
};

/** The state after `event` (the same one when the event does not apply). */
export function verificationTransition(
  state: VerificationStatus,
  event: VerificationEvent,
): VerificationStatus {
  const move = MOVES[event.type];
  return state === move.from ? move.to : state;
}

/** The one state `event` moves a task from (each write's SQL guard). */
export function verificationMovesFrom(event: VerificationEvent["type"]): VerificationStatus {
  return MOVES[event].from;
}

/** Whether a check or a dispute is still under way (taskProgress stays open past COMPLETED). */
export function isVerificationOpen(state: VerificationStatus): boolean {
  return state === VerificationStatus.SAMPLED || state === VerificationStatus.DISPUTED;
}
