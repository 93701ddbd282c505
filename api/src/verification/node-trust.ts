import { randomInt } from "node:crypto";
import type { EntityManager } from "@mikro-orm/postgresql";
import type { ModelManifest } from "@neurogrid/schema";
import type { ModelDeployment } from "../tasks/model-deployments.js";
import { Canaries } from "./canaries.js";
import { KnownAnswers, type ReferenceOpener, referenceFromCache } from "./known-answers.js";
import { NodeChecks } from "./node-checks.js";
import { Onboarding } from "./onboarding.js";

/** What a process that runs tasks takes from its configuration for known-answer checks. */
export interface NodeTrustSettings {
  onboarding: boolean;
  onboardingTasks: number;
  canaryRatePerNodePerMinute: number;
  /** A known-answer task's deadline: a task's. */
  callTimeoutMs: number;
  /** Where this api keeps model files (the known answers' reference). */
  modelCacheDir?: string | undefined;
}

export interface NodeTrustDeps {
  /**
   * Told after every wrong answer to a known-answer task (canary or onboarding), once its fault
   * is written: where quarantine takes a node below its floor out of work.
   */
  onFault?: ((nodeId: string) => Promise<void>) | undefined;
  log?: ((msg: string) => void) | undefined;
  /** The known inputs' secret seed; random per process unless a test fixes it. */
  seed?: number;
  random?: () => number;
  openReference?: ReferenceOpener;
}

/**
 * The known-answer checks of one process that runs tasks: onboarding (onboarding.ts: the gate
 * on its deployments) and canaries (canaries.ts: a loop), over one pool of known answers
 * (known-answers.ts) and one record (node-checks.ts).
 */
export class NodeTrust {
  readonly onboarding: Onboarding;
  readonly canaries: Canaries;

  constructor(em: EntityManager, settings: NodeTrustSettings, deps: NodeTrustDeps = {}) {
    const checks = new NodeChecks(em);
    const answers = new KnownAnswers(
      deps.openReference ?? referenceFromCache(settings.modelCacheDir),
      deps.seed ?? randomInt(2 ** 31),
    );
    const shared = {
      answers,
      checks,
      callTimeoutMs: settings.callTimeoutMs,
      onFault: deps.onFault,
      log: deps.log,
    };
    this.onboarding = new Onboarding({
      ...shared,
      enabled: settings.onboarding,
      tasks: settings.onboardingTasks,
    });
    this.canaries = new Canaries({
      ...shared,
      onboarding: this.onboarding,
      ratePerNodePerMinute: settings.canaryRatePerNodePerMinute,
      random: deps.random ?? Math.random,
    });
  }

  /** A model's deployment as tasks use it (ready-deployments.ts): only admitted replicas. */
  readonly gate = (modelId: string, manifest: ModelManifest, deployment: ModelDeployment): ModelDeployment =>
    this.onboarding.gate(modelId, manifest, deployment);

  /** Starts the canaries. */
  start(): void {
    this.canaries.start();
  }

  async close(): Promise<void> {
    await this.canaries.close();
    await this.onboarding.close();
  }
}
