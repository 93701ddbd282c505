/**
 * The quarantine policy (the rule is in reputation.ts): after a fault is recorded against a node
 * (a wrong result found by a spot check, or any later kind of fault), its reputation is read
 * again; below the floor, and not quarantined yet, the node is quarantined: it takes no new
 * actors and its actors move to other nodes until an admin restores it (nodes/node-quarantine.ts).
 *
 * Whoever records a fault calls afterFault(nodeId) once it is stored. Infrastructure is passed
 * in: the reputation read and the quarantine itself (database and head).
 */
import type { Reputation } from "./reputation.js";

export interface QuarantinePolicyDeps {
  /** A node whose score falls below this is quarantined (config quarantineFloor). */
  floor: number;
  reputationOf(nodeId: string): Promise<Reputation>;
  isQuarantined(nodeId: string): Promise<boolean>;
  /** Records the quarantine and tells the head (nodes/node-quarantine.ts quarantineNode). */
  quarantine(nodeId: string, reason: string): Promise<void>;
  log?: (msg: string) => void;
}

/** What afterFault did: quarantined the node (with the reason), or not (why). */
export type QuarantineOutcome = { quarantined: true; reason: string } | { quarantined: false; why: string };

export class QuarantinePolicy {
  readonly #deps: QuarantinePolicyDeps;

  constructor(deps: QuarantinePolicyDeps) {
    this.#deps = deps;
  }

  /** A fault against the node was just recorded: quarantines it if its score is below the floor. */
  async afterFault(nodeId: string): Promise<QuarantineOutcome> {
    const { score, faults, agreed } = await this.#deps.reputationOf(nodeId);
    const { floor } = this.#deps;
    if (score >= floor) return { quarantined: false, why: `score ${score.toFixed(3)} >= floor ${floor}` };
    if (await this.#deps.isQuarantined(nodeId)) return { quarantined: false, why: "already quarantined" };
    const reason = `reputation ${score.toFixed(3)} < floor ${floor} (${faults} wrong results, ${agreed} agreed)`;
    await this.#deps.quarantine(nodeId, reason);
    this.#deps.log?.(`node ${nodeId} quarantined: ${reason}`);
    return { quarantined: true, reason };
  }
}
