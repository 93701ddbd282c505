import { runKnownAnswer } from "./known-answer-run.js";
import { hasKnownAnswers, type KnownAnswers } from "./known-answers.js";
import type { NodeChecks } from "./node-checks.js";
import type { Onboarding, ServingReplica } from "./onboarding.js";

/**
 * Canaries: the platform sends known-answer tasks (known-answers.ts) to every serving node, at a
 * low rate, as tasks (known-answer-run.ts: nothing at the actor tells one from a client's task).
 *
 *   targets    each (model, node) pair whose replica tasks may run on, as this process's task
 *              picks have seen them (onboarding.ts `serving`), for models with known answers
 *   rate       `ratePerNodePerMinute` canaries per pair per minute on average: every TICK_MS
 *              each pair is sent one with probability rate × TICK_MS / 60 s, so their times
 *              are random and cannot be foretold (0: none). The default, one per pair every
 *              five minutes, costs a few hundred small runs per pair a day: under 1 % of the
 *              tasks of a node that serves more than about one task a second
 *   right      written as a passed check (reputation: an agreement)
 *   wrong      written as a failed check with its fault (kind 'canary', with the evidence:
 *              node-checks.ts), reputation: a fault; `onFault` is told
 *   no answer  (the replica gone, its deadline passed) a failure, not a lie: nothing written;
 *              a pair whose replica is no longer live is dropped until tasks see it again
 *
 * Each process that runs tasks sends its own canaries, to the pairs it has seen.
 */
const TICK_MS = 10_000;

export interface CanaryDeps {
  onboarding: Pick<Onboarding, "serving" | "forget">;
  answers: Pick<KnownAnswers, "of">;
  checks: Pick<NodeChecks, "record">;
  ratePerNodePerMinute: number;
  callTimeoutMs: number;
  random: () => number;
  onFault?: ((nodeId: string) => Promise<void>) | undefined;
  log?: ((msg: string) => void) | undefined;
}

/** What one canary found (tests and logs). */
export interface CanaryOutcome {
  nodeId: string;
  modelId: string;
  outcome: "passed" | "failed" | "unanswered";
}

export class Canaries {
  readonly #deps: CanaryDeps;
  readonly #stop = new AbortController();
  #timer: NodeJS.Timeout | undefined;
  #round: Promise<unknown> = Promise.resolve();

  constructor(deps: CanaryDeps) {
    this.#deps = deps;
  }

  /** Sends canaries every TICK_MS until closed (nothing when the rate is 0). */
  start(): void {
    if (this.#deps.ratePerNodePerMinute <= 0 || this.#timer) return;
    const probability = Math.min(1, (this.#deps.ratePerNodePerMinute * TICK_MS) / 60_000);
    this.#timer = setInterval(() => {
      this.#round = this.#round
        .then(() => this.round(probability))
        .catch((err: unknown) => {
          this.#deps.log?.(`canaries: ${String(err)}`);
        });
    }, TICK_MS);
    this.#timer.unref();
  }

  /** One round: each target is sent one canary with this probability; all at once. */
  async round(probability: number): Promise<CanaryOutcome[]> {
    const targets = this.#deps.onboarding
      .serving()
      .filter((t) => hasKnownAnswers(t.manifest) && this.#deps.random() < probability);
    return Promise.all(targets.map((t) => this.#send(t)));
  }

  async close(): Promise<void> {
    if (this.#timer) clearInterval(this.#timer);
    this.#stop.abort();
    await this.#round;
  }

  async #send(target: ServingReplica): Promise<CanaryOutcome> {
    const { nodeId } = target.replica;
    const base = { nodeId, modelId: target.modelId };
    const pool = await this.#deps.answers.of(target.manifest);
    const known = pool[Math.floor(this.#deps.random() * pool.length)];
    if (!known) return { ...base, outcome: "unanswered" };
    const outcome = await runKnownAnswer(target.deployment, target.manifest, target.replica, known, {
      timeoutMs: this.#deps.callTimeoutMs,
      signal: this.#stop.signal,
    });
    if (!outcome.answered) {
      this.#deps.onboarding.forget(target);
      return { ...base, outcome: "unanswered" };
    }
    await this.#deps.checks.record({
      ...base,
      kind: "canary",
      passed: outcome.agree,
      detail: outcome.detail,
      input: known.input,
      expected: known.expected,
      got: outcome.got,
    });
    if (outcome.agree) return { ...base, outcome: "passed" };
    this.#deps.log?.(`node ${nodeId} answered a canary of ${target.manifest.name} wrong: ${outcome.detail}`);
    await this.#deps.onFault?.(nodeId);
    return { ...base, outcome: "failed" };
  }
}
