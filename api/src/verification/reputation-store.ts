import type { EntityManager } from "@mikro-orm/postgresql";
import { runPrepared } from "../db/prepared.js";
import { type Reputation, type ReputationEvent, reputationOf, type Verdict } from "./reputation.js";

/**
 * Reputation read from verification's verdicts (reputation.ts says the rule): every node that
 * took part in a verified or resolved check, and every known-answer check a node answered (a
 * canary or an onboarding: node_checks, node-checks.ts), all in the order the verdicts were
 * reached. A dispute resolved with no fault (no majority, no referee) tells nothing about anyone;
 * nor does a known-answer task that got no answer (it is not written).
 */
const VERDICTS = `with v as (
    select v.task_id, v.status, v.checked_by, v.referee, v.at_fault, v.checked_at, v.resolved_at, t.node_id as task_node
      from task_verifications v join tasks t on t.id = v.task_id
     where v.status = 'VERIFIED' or (v.status = 'RESOLVED' and v.at_fault is not null)
  ), parts as (
    select n.node, coalesce(v.resolved_at, v.checked_at) as at,
           case when n.node = v.at_fault then 'fault' else 'agreed' end as verdict,
           'check' as source, v.task_id
      from v, lateral (values (v.task_node), (v.checked_by), (v.referee)) n(node)
     where n.node is not null
    union all
    select c.node_id, c.created_at, case when c.passed then 'agreed' else 'fault' end, c.kind, null::uuid
      from node_checks c
  )
  select node, at, verdict, source, task_id from parts
   where node = any($1::text[]) or node in (select id from nodes where provider_id = $2::uuid)
   order by at`;

/**
 * How long a provider's score is reused for sampling before it is read again: short enough that
 * a new provider's rate falls as its first checks agree (at 30 s a new provider was checked at
 * twice the base rate for its first half-minute of work whatever it proved meanwhile), long
 * enough that the read is not on every draw.
 */
const SCORE_TTL_MS = 5_000;

export class ReputationStore {
  readonly #em: EntityManager;
  readonly #now: () => number;
  readonly #scores = new Map<string, { score: number; at: number }>();

  constructor(em: EntityManager, now: () => number = Date.now) {
    this.#em = em;
    this.#now = now;
  }

  ofNode(nodeId: string): Promise<Reputation> {
    return this.#read([nodeId], null);
  }

  ofProvider(providerId: string): Promise<Reputation> {
    return this.#read([], providerId);
  }

  /** A provider's score for sampling, cached for SCORE_TTL_MS. */
  async providerScore(providerId: string): Promise<number> {
    const hit = this.#scores.get(providerId);
    if (hit && this.#now() - hit.at < SCORE_TTL_MS) return hit.score;
    const { score } = await this.ofProvider(providerId);
    this.#scores.set(providerId, { score, at: this.#now() });
    return score;
  }

  async #read(nodes: string[], providerId: string | null): Promise<Reputation> {
    const rows = await runPrepared<{
      node: string;
      at: Date;
      verdict: Verdict;
      source: ReputationEvent["source"];
      task_id: string | null;
    }>(this.#em, "reputation_verdicts", VERDICTS, [nodes, providerId]);
    return reputationOf(
      rows.map((r) => ({
        at: new Date(r.at),
        nodeId: r.node,
        verdict: r.verdict,
        source: r.source,
        taskId: r.task_id ?? undefined,
      })),
    );
  }
}
