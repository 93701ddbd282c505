import { type ChaosReport, moneyAndTaskFailures } from "../chaos/chaos-report.js";
import type { FaultRecord } from "./fault-context.js";
import { FAULT_KINDS, type FaultKind } from "./fault-schedule.js";

/**
 * A fault run's result: the chaos run's report (every invariant it checks) with the faults in
 * place of the kills, and the answers given after a fence. One JSON line with --json.
 */
export type FaultReport = Omit<ChaosReport, "kills" | "killed"> & {
  faults: number;
  /** How a partition cut its worker off: a veth of the run's network namespaces, or a TCP proxy. */
  partitionVia: "netns" | "proxy";
  faultKinds: FaultKind[];
  staleAnswers: number;
  /** Live actors a restarted head did not adopt (they were restarted instead), all head kills. */
  actorsNotAdopted: number;
  /** The answers to submissions that were retried, by error code (NO_ANSWER: none came). */
  retriedCodes: Record<string, number>;
  schedule: string;
  faulted: Omit<FaultRecord, "fence">[];
};

/** Every invariant the fault run breaks, in words; empty when it passed. */
export function faultFailures(r: FaultReport, expectedFaults: number): string[] {
  const failures = moneyAndTaskFailures(r);
  const must = (ok: boolean, what: string) => {
    if (!ok) failures.push(what);
  };
  const internal = r.retriedCodes.INTERNAL_SERVER_ERROR ?? 0;
  must(
    internal === 0,
    `${internal} submissions answered INTERNAL_SERVER_ERROR (not UNAVAILABLE) during a fault`,
  );
  must(r.faults === expectedFaults, `${r.faults} faults, expected ${expectedFaults}`);
  const missing = FAULT_KINDS.filter((k) => !r.faultKinds.includes(k));
  must(missing.length === 0, `fault kinds never injected: ${missing.join(", ")}`);
  return failures;
}
