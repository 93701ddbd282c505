import type { ActorInfo, ModelManifest } from "@neurogrid/schema";
import type { ModelDeployment } from "../tasks/model-deployments.js";
import { GatedDeployment } from "./gated-deployment.js";
import { runKnownAnswer } from "./known-answer-run.js";
import { hasKnownAnswers, type KnownAnswers } from "./known-answers.js";
import type { NodeChecks } from "./node-checks.js";

/**
 * Onboarding: a node's replica of a model takes no paid task until that node has answered the
 * model's known-answer tasks (known-answers.ts) right, all of them; one wrong answer keeps the
 * node out for that model for good (a node fault of kind 'onboarding'; the record stays).
 *
 *   first sight   a task's pick meets a replica on a (node, model) pair this process has no
 *                 state for: it is passed over (GatedDeployment), and the pair is looked up in
 *                 PostgreSQL (node_checks, the truth: a restarted api does not onboard a node
 *                 again); not found -> onboarded now, in the background
 *   onboarding    the first `tasks` known answers, at once, on that very replica, through the
 *                 same call path as tasks (known-answer-run.ts)
 *   all right     PASSED, written; the replica is admitted, and the tasks waiting for a replica
 *                 take it on their next look (the deployment handle looks every 100 ms)
 *   one wrong     FAILED, written with its fault (node-checks.ts); `onFault` is told
 *   no answer     (the replica died, a deadline passed) no verdict: tried again on a sight
 *                 after RETRY_MS
 *
 * So tasks wait while a model's first replica is onboarded rather than fail. Onboarding a small
 * model takes a few milliseconds, after the first in a process has computed the model version's
 * known answers (its file loaded on this process's CPU once). A model without known answers (known-answers.ts: not a tensor
 * model), or whose known answers this process cannot compute (logged), admits every replica.
 * With onboarding off every replica is admitted at once. Either way the admitted replicas seen
 * are canaries' targets (canaries.ts).
 */
const RETRY_MS = 5_000;

type PairState =
  | { status: "PASSED" | "FAILED" | "PENDING" | "UNCHECKED" }
  | { status: "RETRY"; after: number };

export interface OnboardingDeps {
  checks: Pick<NodeChecks, "record" | "onboardingOf">;
  answers: Pick<KnownAnswers, "of">;
  /** Off: every replica is admitted at once. */
  enabled: boolean;
  /** Known-answer tasks a pair must all answer right (at most KNOWN_ANSWERS_PER_MODEL). */
  tasks: number;
  callTimeoutMs: number;
  /** Told of every wrong answer (quarantine's hook). */
  onFault?: ((nodeId: string) => Promise<void>) | undefined;
  log?: ((msg: string) => void) | undefined;
  now?: () => number;
}

/** A replica tasks may run on, with its model: a canary's target. */
export interface ServingReplica {
  modelId: string;
  manifest: ModelManifest;
  deployment: ModelDeployment;
  replica: ActorInfo;
}

export class Onboarding {
  readonly #deps: OnboardingDeps;
  readonly #pairs = new Map<string, PairState>();
  /** The admitted replicas seen, by model id then node id (the newest replica of each node). */
  readonly #serving = new Map<string, Map<string, ServingReplica>>();
  /** name@version of each model gated, by model id. */
  readonly #names = new Map<string, string>();
  readonly #stop = new AbortController();
  readonly #running = new Set<Promise<void>>();

  constructor(deps: OnboardingDeps) {
    this.#deps = deps;
  }

  /** The model's deployment as tasks use it: only admitted replicas. */
  gate(modelId: string, manifest: ModelManifest, deployment: ModelDeployment): ModelDeployment {
    const checked = this.#deps.enabled && hasKnownAnswers(manifest);
    this.#names.set(modelId, `${manifest.name}@${manifest.version}`);
    return new GatedDeployment(deployment, (replica) => {
      const admitted = !checked || this.#admits(modelId, manifest, deployment, replica);
      if (admitted) this.#seen({ modelId, manifest, deployment, replica });
      return admitted;
    });
  }

  /** The models this process is onboarding the node for now. */
  pendingOf(nodeId: string): { modelId: string; model: string }[] {
    return [...this.#names].flatMap(([modelId, model]) =>
      this.#pairs.get(pairKey(modelId, nodeId))?.status === "PENDING" ? [{ modelId, model }] : [],
    );
  }

  /** The admitted replicas seen, one per (model, node). */
  serving(): ServingReplica[] {
    return [...this.#serving.values()].flatMap((byNode) => [...byNode.values()]);
  }

  /** A serving replica whose calls no longer reach it: no canary goes there until seen again. */
  forget(target: ServingReplica): void {
    const byNode = this.#serving.get(target.modelId);
    if (byNode?.get(target.replica.nodeId)?.replica.actorId === target.replica.actorId)
      byNode.delete(target.replica.nodeId);
  }

  /** Resolves once the onboardings under way now have ended (tests). */
  async idle(): Promise<void> {
    await Promise.allSettled([...this.#running]);
  }

  /** Ends the onboardings under way (their calls are cancelled, nothing is written). */
  async close(): Promise<void> {
    this.#stop.abort();
    await Promise.allSettled([...this.#running]);
  }

  #admits(
    modelId: string,
    manifest: ModelManifest,
    deployment: ModelDeployment,
    replica: ActorInfo,
  ): boolean {
    const key = pairKey(modelId, replica.nodeId);
    const state = this.#pairs.get(key);
    if (state?.status === "PASSED" || state?.status === "UNCHECKED") return true;
    if (state?.status === "FAILED" || state?.status === "PENDING" || this.#stop.signal.aborted) return false;
    if (state?.status === "RETRY" && this.#now() < state.after) return false;
    this.#pairs.set(key, { status: "PENDING" });
    const run = this.#onboard(modelId, manifest, deployment, replica)
      .then((status) => void this.#pairs.set(key, status))
      .catch((err: unknown) => {
        this.#log(`onboarding of ${replica.nodeId} for ${manifest.name}@${manifest.version}: ${String(err)}`);
        this.#pairs.set(key, { status: "RETRY", after: this.#now() + RETRY_MS });
      })
      .finally(() => this.#running.delete(run));
    this.#running.add(run);
    return false;
  }

  async #onboard(
    modelId: string,
    manifest: ModelManifest,
    deployment: ModelDeployment,
    replica: ActorInfo,
  ): Promise<PairState> {
    const { nodeId } = replica;
    const recorded = await this.#deps.checks.onboardingOf(nodeId, modelId);
    if (recorded) return { status: recorded };
    const known = await this.#deps.answers.of(manifest).catch((err: unknown) => {
      this.#log(
        `no known answers for ${manifest.name}@${manifest.version}, its replicas are not onboarded: ${String(err)}`,
      );
      return undefined;
    });
    if (!known) return { status: "UNCHECKED" };
    const asked = known.slice(0, this.#deps.tasks);
    const opts = { timeoutMs: this.#deps.callTimeoutMs, signal: this.#stop.signal };
    const outcomes = await Promise.all(
      asked.map((k) => runKnownAnswer(deployment, manifest, replica, k, opts)),
    );
    const wrong = outcomes.findIndex((o) => o.answered && !o.agree);
    const unanswered = outcomes.find((o) => !o.answered);
    if (wrong < 0 && unanswered) {
      this.#log(
        `onboarding of ${nodeId} for ${manifest.name}@${manifest.version} got no answer: ${unanswered.why}`,
      );
      return { status: "RETRY", after: this.#now() + RETRY_MS };
    }
    const shown = Math.max(wrong, 0);
    const outcome = outcomes[shown];
    const evidence = asked[shown];
    if (!outcome?.answered || !evidence) throw new Error("an onboarding without answers");
    await this.#deps.checks.record({
      nodeId,
      modelId,
      kind: "onboarding",
      passed: wrong < 0,
      detail: wrong < 0 ? `all ${asked.length} known answers right` : outcome.detail,
      input: evidence.input,
      expected: evidence.expected,
      got: outcome.got,
    });
    if (wrong < 0) return { status: "PASSED" };
    this.#log(`node ${nodeId} failed onboarding for ${manifest.name}@${manifest.version}: ${outcome.detail}`);
    await this.#deps.onFault?.(nodeId);
    return { status: "FAILED" };
  }

  #seen(target: ServingReplica): void {
    let byNode = this.#serving.get(target.modelId);
    if (!byNode) {
      byNode = new Map();
      this.#serving.set(target.modelId, byNode);
    }
    if (byNode.get(target.replica.nodeId)?.replica.actorId !== target.replica.actorId)
      byNode.set(target.replica.nodeId, target);
  }

  #now(): number {
    return (this.#deps.now ?? Date.now)();
  }

  #log(msg: string): void {
    this.#deps.log?.(msg);
  }
}

function pairKey(modelId: string, nodeId: string): string {
  return `${modelId}|${nodeId}`;
}
