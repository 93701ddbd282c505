import type { Invariants } from "./chaos-invariants.js";
import type { KillRecord } from "./chaos-monkey.js";

/**
 * A chaos run's result: one flat object (printed as one JSON line by `npm run chaos -- --json`)
 * and the list of invariants it breaks (empty when the run passed).
 */
export interface ChaosReport {
  tasks: number;
  finished: number;
  lost: number;
  chargedTwice: number;
  kills: number;
  ledgerBalanced: boolean;
  seed: number;
  completed: number;
  failed: number;
  cancelled: number;
  durationS: number;
  balancesMatch: boolean;
  duplicateKeys: number;
  strayTasks: number;
  wrongTaskIds: number;
  unsettled: number;
  holdErrors: number;
  rejected: number;
  submitRetries: number;
  killed: Omit<KillRecord, "pid">[];
  /** Spot checks drawn during the run, by verification state (VERIFIED, UNCHECKED: abandoned, ...). */
  checks: Record<string, number>;
  /** Only when something does not hold: what, in words. */
  balanceErrors?: string[];
  ledgerErrors?: string;
}

export const EXPECTED_KILLS = 3;

export function toReport(run: {
  seed: number;
  tasks: number;
  invariants: Invariants;
  kills: KillRecord[];
  rejected: number;
  submitRetries: number;
  durationS: number;
}): ChaosReport {
  const i = run.invariants;
  return {
    tasks: run.tasks,
    finished: i.finished,
    lost: i.lost,
    chargedTwice: i.chargedTwice,
    kills: run.kills.length,
    ledgerBalanced: i.ledger.ok,
    seed: run.seed,
    completed: i.completed,
    failed: i.failed,
    cancelled: i.cancelled,
    durationS: run.durationS,
    balancesMatch: i.balanceErrors.length === 0,
    duplicateKeys: i.duplicateKeys,
    strayTasks: i.strayTasks,
    wrongTaskIds: i.wrongTaskIds,
    unsettled: i.unsettled,
    holdErrors: i.holdErrors,
    rejected: run.rejected,
    submitRetries: run.submitRetries,
    killed: run.kills.map(({ pid: _pid, ...k }) => k),
    checks: i.checks,
    ...(i.balanceErrors.length > 0 ? { balanceErrors: i.balanceErrors } : {}),
    ...(i.ledger.ok
      ? {}
      : { ledgerErrors: JSON.stringify(i.ledger, (_k, v) => (typeof v === "bigint" ? v.toString() : v)) }),
  };
}

/** Every invariant the run breaks, in words; empty when it passed. */
export function chaosFailures(r: ChaosReport): string[] {
  const failures = moneyAndTaskFailures(r);
  if (r.kills !== EXPECTED_KILLS) failures.push(`${r.kills} kills, expected ${EXPECTED_KILLS}`);
  return failures;
}

/**
 * The invariants every disruption run checks (the chaos run, the fault run): tasks, keys, charges
 * and balances, in words; empty when they hold.
 */
export function moneyAndTaskFailures(r: Omit<ChaosReport, "kills" | "killed">): string[] {
  const failures: string[] = [];
  const must = (ok: boolean, what: string) => {
    if (!ok) failures.push(what);
  };
  must(r.lost === 0, `${r.lost} tasks lost (no task for the key, or not final)`);
  must(r.finished === r.tasks, `${r.finished} of ${r.tasks} tasks finished`);
  must(r.rejected === 0, `${r.rejected} submissions refused or never answered`);
  must(r.duplicateKeys === 0, `${r.duplicateKeys} idempotency keys have more than one task`);
  must(r.strayTasks === 0, `${r.strayTasks} tasks under no submitted key`);
  must(r.wrongTaskIds === 0, `${r.wrongTaskIds} clients were told another task id than the stored one`);
  must(r.chargedTwice === 0, `${r.chargedTwice} tasks charged twice`);
  must(r.unsettled === 0, `${r.unsettled} final tasks without their capture or refund`);
  must(r.holdErrors === 0, `${r.holdErrors} tasks without exactly one escrow hold`);
  must(r.balancesMatch, `client balances differ: ${(r.balanceErrors ?? []).join("; ")}`);
  must(r.ledgerBalanced, `the ledger check fails: ${r.ledgerErrors ?? ""}`);
  return failures;
}
