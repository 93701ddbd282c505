import { randomUUID } from "node:crypto";
import type { EntityManager } from "@mikro-orm/postgresql";
import { runPrepared } from "../db/prepared.js";

/**
 * Known-answer checks of nodes, in PostgreSQL (node_checks): a canary a node answered, or the
 * onboarding of a (node, model) pair. A wrong answer is written with its node fault (node_faults,
 * kind = the check's kind, check_id = the check) in the same statement, so a fault is never
 * without its evidence nor a failed check without its fault. A check whose call did not come
 * back (timeout, replica gone) is not written at all: it shows nothing about the node's honesty.
 *
 * The newest onboarding row of a (node, model) pair is its onboarding state; reputation reads
 * every row (reputation-store.ts).
 */
type NodeCheckKind = "canary" | "onboarding";

export interface NodeCheck {
  nodeId: string;
  modelId: string;
  kind: NodeCheckKind;
  passed: boolean;
  detail: string;
  input: unknown;
  expected: unknown;
  got: unknown;
}

export type OnboardingStatus = "PASSED" | "FAILED";

export interface NodeOnboarding {
  modelId: string;
  /** "name@version". */
  model: string;
  status: OnboardingStatus;
  at: Date;
}

const RECORD = `with c as (
    insert into node_checks (id, node_id, model_id, kind, passed, detail, input, expected, got)
    values ($1::uuid, $2::text, $3::uuid, $4::text, $5::boolean, $6::text, $7::jsonb, $8::jsonb, $9::jsonb)
    returning id, node_id, kind, passed, detail
  )
  insert into node_faults (id, node_id, task_id, kind, detail, check_id)
  select $10::uuid, c.node_id, null, c.kind, c.detail, c.id from c where not c.passed`;

const ONBOARDINGS = `select distinct on (c.model_id) c.model_id, m.name || '@' || m.version as model, c.passed, c.created_at
    from node_checks c join models m on m.id = c.model_id
   where c.node_id = $1::text and c.kind = 'onboarding'
   order by c.model_id, c.created_at desc`;

const ONBOARDING_OF = `select passed from node_checks
   where node_id = $1::text and model_id = $2::uuid and kind = 'onboarding'
   order by created_at desc limit 1`;

export class NodeChecks {
  readonly #em: EntityManager;

  constructor(em: EntityManager) {
    this.#em = em;
  }

  async record(check: NodeCheck): Promise<void> {
    await runPrepared(this.#em, "node_check_record", RECORD, [
      randomUUID(),
      check.nodeId,
      check.modelId,
      check.kind,
      check.passed,
      check.detail,
      JSON.stringify(check.input),
      JSON.stringify(check.expected),
      JSON.stringify(check.got),
      randomUUID(),
    ]);
  }

  /** A (node, model) pair's onboarding state; undefined when it was never onboarded. */
  async onboardingOf(nodeId: string, modelId: string): Promise<OnboardingStatus | undefined> {
    const rows = await runPrepared<{ passed: boolean }>(this.#em, "node_check_onboarding_of", ONBOARDING_OF, [
      nodeId,
      modelId,
    ]);
    const row = rows[0];
    return row === undefined ? undefined : row.passed ? "PASSED" : "FAILED";
  }

  /** A node's onboarding state for every model it was onboarded for. */
  async onboardingsOf(nodeId: string): Promise<NodeOnboarding[]> {
    const rows = await runPrepared<{
      model_id: string;
      model: string;
      passed: boolean;
      created_at: Date | string;
    }>(this.#em, "node_check_onboardings", ONBOARDINGS, [nodeId]);
    return rows.map((r) => ({
      modelId: r.model_id,
      model: r.model,
      status: r.passed ? "PASSED" : "FAILED",
      at: new Date(r.created_at),
    }));
  }
}
