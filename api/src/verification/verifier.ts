import { compareTaskResults, comparisonOf } from "@neurogrid/cluster/models";
import { type ActorInfo, type TaskKind, taskKindOf } from "@neurogrid/schema";
import type { ModelDeployment } from "../tasks/model-deployments.js";
import type { ReadyDeployments } from "../tasks/ready-deployments.js";
import { type CheckRun, runCheck } from "./check-run.js";
import { judgeDispute } from "./referee.js";
import { sampleRateFor } from "./reputation.js";

/**
 * The task kinds a check can re-run and compare (task-result-comparison.ts): output tensors,
 * generated text and speech segments. An OCR task is composed of other deployments' calls whose
 * replicas its pipeline picks, so a wrong line could not be laid at one node: it is not drawn.
 */
const VERIFIABLE_KINDS: ReadonlySet<TaskKind> = new Set<TaskKind>(["tensor", "generate", "vad"]);

export const isVerifiableKind = (kind: TaskKind): boolean => VERIFIABLE_KINDS.has(kind);

import type { VerificationStore } from "./verification-store.js";

/**
 * Spot checks (result verification): a share of completed tasks is re-run on a node of another
 * provider and the two results compared under the model's rule (result-comparison.ts).
 *
 *   sample    before a task's capture is written COMPLETED, it is drawn with probability
 *             `sampleRate`, raised for a provider of low reputation (reputation.ts); a drawn task's capture writes it SAMPLED in the same statement
 *             (ledger/settle-statement.ts), and its COMPLETED announcement says so
 *   check     its input runs on the least loaded replica whose node belongs to another provider;
 *             agreement -> VERIFIED, else DISPUTED
 *   referee   a DISPUTED task runs once more on a third provider's node; the run that disagrees
 *             with the other two is at fault (referee.ts): a wrong_result fault against its
 *             node, and the referee's result replaces the task's when the task's node was wrong
 *             (RESOLVED); no majority -> RESOLVED, no fault, the task's result kept
 *
 * A task is drawn only while another provider's replica serves its model. A check that then
 * cannot run (that replica gone, its run failed) abandons the sample: UNCHECKED again, with the
 * reason as its verdict. A dispute no third provider can referee is RESOLVED with no fault and
 * the task's result kept: a fault needs two providers against one. Check runs go through the
 * same deployment as tasks, so they count in its load and its autoscaling. A check whose process
 * died is ended by the dispatcher's sweep (`sweep`): nobody waits on an open check for ever.
 *
 * Money: each verdict moves the task's provider share, held pending since its capture, in the
 * verdict's own statement (ledger/verification-money.ts); the sweep also releases the shares
 * whose verification window has passed with no check open. A client may ask for a check of its
 * task (`verify`): it is drawn whatever the sample rate, and pays the extra run.
 */
export interface VerifierDeps {
  store: Pick<VerificationStore, "checked" | "abandon" | "resolve" | "sweepStale" | "releaseDue">;
  deployments: Pick<ReadyDeployments, "forModel" | "manifestOf">;
  /** The provider who owns a node: node-owners.ts. */
  providerOf(nodeId: string): Promise<string>;
  /**
   * The share of completed tasks checked, 0..1, for a provider of score 1 (reputation.ts), for a
   * model whose manifest does not set its own (`verification.sampleRate`); 0: only the tasks
   * whose client asked for a check (`verify`) and those of models with a rate of their own.
   */
  sampleRate: number;
  /**
   * How long a task's provider share stays pending with no check open (config.ts
   * verificationWindowMs): the sweep releases it after that.
   */
  windowMs: number;
  /** A provider's reputation score (reputation-store.ts); 1 for every provider without it. */
  scoreOf?: (providerId: string) => Promise<number>;
  random: () => number;
  /** A check's or referee's run may take this long. */
  callTimeoutMs: number;
  /** A check's answer is held to the size limit of a task's (config maxResultChars). */
  maxResultChars: number;
  /** Told of each node found at fault, once the fault is stored (quarantine.ts afterFault). */
  afterFault?: (nodeId: string) => Promise<unknown>;
  log?: (msg: string) => void;
}

/** A task as its capture wrote it COMPLETED. */
export interface CompletedTask {
  id: string;
  modelId: string;
  generative: boolean;
  input: Record<string, unknown>;
  result: unknown;
  nodeId: string;
  /** The client asked for a check (`verify` on submit): drawn whatever the sample rate. */
  verify?: boolean | undefined;
}

/**
 * A check not moved for this many call deadlines is no longer running anywhere (a check and a
 * referee run each end by their deadline): the dispatcher's sweep ends it.
 */
const STALE_CHECK_DEADLINES = 3;

export class Verifier {
  readonly #deps: VerifierDeps;

  constructor(deps: VerifierDeps) {
    this.#deps = deps;
  }

  /**
   * Whether a task about to be captured COMPLETED is checked: drawn at the sample rate (always,
   * when its client asked: `verify`), and only while a replica of another provider serves its
   * model. Its capture then writes it SAMPLED (and charges a `verify` task the extra run).
   */
  async draw(task: CompletedTask): Promise<boolean> {
    const manifest = this.#deps.deployments.manifestOf(task.modelId);
    if (!manifest || !isVerifiableKind(taskKindOf(manifest))) return false;
    const rate = manifest.verification?.sampleRate ?? this.#deps.sampleRate;
    if (!task.verify && rate <= 0) return false;
    const provider = await this.#deps.providerOf(task.nodeId);
    if (!task.verify) {
      const score = this.#deps.scoreOf ? await this.#deps.scoreOf(provider) : 1;
      if (!(this.#deps.random() < sampleRateFor(rate, score))) return false;
    }
    const deployment = await this.#deps.deployments.forModel(task.modelId);
    // Only the replicas this process knows (refreshed every report interval): the draw is on the
    // capture's path, and asking the head there cost every drawn task a round trip.
    const lease = await deployment.leaseWhere(this.#acceptOthers([provider]), { refresh: false });
    lease?.release();
    return lease !== undefined;
  }

  /**
   * Checks a SAMPLED task, and referees it if the check disagrees. A check that cannot run
   * abandons the sample (UNCHECKED again, announced), so no one waits on it for ever.
   */
  async check(task: CompletedTask): Promise<void> {
    try {
      await this.#check(task);
    } catch (err) {
      const why = err instanceof Error ? err.message : String(err);
      this.#log(`verification of task ${task.id}: ${why}`);
      await this.#deps.store.abandon(task.id, `the check did not run: ${why}`);
    }
  }

  async #check(task: CompletedTask): Promise<void> {
    const deployment = await this.#deps.deployments.forModel(task.modelId);
    const manifest = this.#deps.deployments.manifestOf(task.modelId);
    if (!manifest) throw new Error(`model ${task.modelId} has no manifest at hand`);
    const taskProvider = await this.#deps.providerOf(task.nodeId);
    const check = await this.#runElsewhere(deployment, task, [taskProvider]);
    if (!check) {
      await this.#deps.store.abandon(task.id, "no replica of another provider serves the model");
      return;
    }
    const verdict = compareTaskResults(manifest, task.result, check.result);
    const rule = comparisonOf(manifest).rule;
    await this.#deps.store.checked(task.id, {
      agree: verdict.agree,
      checkedBy: check.nodeId,
      result: check.result,
      verdict: verdict.agree
        ? `${check.nodeId} agrees (${rule})`
        : `${check.nodeId} disagrees: ${verdict.reason}`,
    });
    if (verdict.agree) return;
    const checkProvider = await this.#deps.providerOf(check.nodeId);
    const referee = await this.#runElsewhere(deployment, task, [taskProvider, checkProvider]).catch(
      (err: unknown) => {
        this.#log(`referee run of task ${task.id}: ${err instanceof Error ? err.message : String(err)}`);
        return undefined;
      },
    );
    if (!referee) {
      // No third opinion: nobody is shown wrong, the task keeps its result.
      await this.#deps.store.resolve(task.id, {
        referee: undefined,
        refereeResult: null,
        atFault: undefined,
        verdict: "no replica of a third provider could referee: no fault found",
      });
      return;
    }
    const nodes = { task: task.nodeId, check: check.nodeId, referee: referee.nodeId };
    const judged = judgeDispute(
      manifest,
      { task: task.result, check: check.result, referee: referee.result },
      nodes,
    );
    const atFault = judged.atFault === undefined ? undefined : nodes[judged.atFault];
    await this.#deps.store.resolve(task.id, {
      referee: referee.nodeId,
      refereeResult: referee.result,
      atFault,
      verdict: judged.verdict,
    });
    // The fault is stored: the quarantine policy reads it. Its failure leaves the verdict as it is.
    if (atFault !== undefined)
      await this.#deps.afterFault?.(atFault).catch((err: unknown) => {
        this.#log(`quarantine check of node ${atFault}: ${err instanceof Error ? err.message : String(err)}`);
      });
  }

  /** The task's input run on a replica whose provider is none of `excluded`; undefined if none. */
  async #runElsewhere(
    deployment: ModelDeployment,
    task: CompletedTask,
    excluded: readonly string[],
  ): Promise<CheckRun | undefined> {
    const accept = this.#acceptOthers(excluded);
    const lease = await deployment.leaseWhere(accept);
    if (!lease) return undefined;
    const manifest = this.#deps.deployments.manifestOf(task.modelId);
    if (!manifest) throw new Error(`model ${task.modelId} has no manifest at hand`);
    return runCheck(deployment, lease, task, accept, this.#deps.callTimeoutMs, {
      manifest,
      maxResultChars: this.#deps.maxResultChars,
    });
  }

  /**
   * Ends the checks whose process died mid-way, then releases the pending provider shares whose
   * window has passed with no check open (the dispatcher's recovery sweep calls this); how many
   * checks it ended.
   */
  async sweep(now: Date = new Date()): Promise<number> {
    const ended = await this.#deps.store.sweepStale(
      new Date(now.getTime() - STALE_CHECK_DEADLINES * this.#deps.callTimeoutMs),
    );
    await this.#deps.store.releaseDue(new Date(now.getTime() - this.#deps.windowMs));
    return ended;
  }

  /** Accepts a replica whose node belongs to a known provider other than `excluded`. */
  #acceptOthers(excluded: readonly string[]): (replica: ActorInfo) => Promise<boolean> {
    return async (replica) => {
      const provider = await this.#deps.providerOf(replica.nodeId).catch(() => undefined);
      return provider !== undefined && !excluded.includes(provider);
    };
  }

  #log(msg: string): void {
    this.#deps.log?.(msg);
  }
}
