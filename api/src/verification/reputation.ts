/**
 * Reputation: a score in (0, 1] per node and per provider, from the verdicts of result
 * verification and of known-answer checks (canaries, onboarding), after Nesa's
 * R' = R · 0.8^M · 1.01^(1−M), with M = 1 for a fault, 0 otherwise:
 *
 *   start          NEW_SCORE (0.5): a stranger is checked more until it has been seen right
 *   agreement      R · 1.01, at most 1 (its result agreed with another provider's, or it was on
 *                  the majority side of a dispute, as the task's node, the checker or the
 *                  referee; or it answered a canary, or all of an onboarding's tasks, right)
 *   fault          R · 0.8 (its result disagreed with the other two; or it answered a canary or
 *                  an onboarding's task wrong)
 *
 * A score moves slowly up and fast down: about 70 agreements take a new node to 1, and one fault
 * undoes about 22 of them. Verdicts are applied in the order they were reached. A provider's score
 * folds the verdicts of all its nodes.
 *
 * Sampling follows the score: a task of a provider with score R is checked with probability
 * min(1, rate / R): twice the base rate for a new provider, and every task of one whose score
 * has fallen to the base rate.
 *
 * Quarantine (quarantine.ts): after each fault, a node whose own score is below the floor
 * (quarantineFloor, 0.3 by default) is quarantined: it takes no new actors and its actors move
 * elsewhere until an admin restores it (restoreNode). With the default, a new node that is wrong
 * every time is quarantined at its third fault (0.5 -> 0.4 -> 0.32 -> 0.256), while an honest
 * node's rare fault does not reach the floor (a new node's first two faults leave 0.32; a node
 * at 1 needs six faults in a row). Restoring does not touch the score: a restored node is
 * sampled at its raised rate, and its next fault while still below the floor quarantines it
 * again; agreements lift it above the floor over time (0.256 -> 0.3 takes 16 agreements).
 */
export const NEW_SCORE = 0.5;
const AGREEMENT_GAIN = 1.01;
const FAULT_LOSS = 0.8;

export type Verdict = "agreed" | "fault";

export interface Reputation {
  score: number;
  agreed: number;
  faults: number;
  /** The newest verdicts (at most HISTORY_KEPT), newest first, each with the score it left. */
  history: ReputationEvent[];
}

/** One verdict about a node, as the score took it. */
export interface ReputationEvent {
  at: Date;
  nodeId: string;
  verdict: Verdict;
  /** What reached it: a spot check (or its dispute), a canary, an onboarding. */
  source: "check" | "canary" | "onboarding";
  /** The task checked (spot checks only). */
  taskId?: string | undefined;
  /** The score after this verdict. */
  score: number;
}

/** How many of the newest verdicts a reputation keeps as its history. */
export const HISTORY_KEPT = 50;

export function reputationOf(verdicts: Iterable<Omit<ReputationEvent, "score">>): Reputation {
  let score = NEW_SCORE;
  let agreed = 0;
  let faults = 0;
  const history: ReputationEvent[] = [];
  for (const event of verdicts) {
    if (event.verdict === "fault") {
      score *= FAULT_LOSS;
      faults += 1;
    } else {
      score = Math.min(1, score * AGREEMENT_GAIN);
      agreed += 1;
    }
    history.push({ ...event, score });
    if (history.length > HISTORY_KEPT) history.shift();
  }
  return { score, agreed, faults, history: history.reverse() };
}

/** The probability a task of a provider with this score is checked. */
export function sampleRateFor(baseRate: number, score: number): number {
  return Math.min(1, baseRate / Math.max(score, Number.MIN_VALUE));
}
