import type { MikroORM } from "@mikro-orm/postgresql";
import { Task } from "../db/entities/index.js";
import { ReputationStore } from "../verification/reputation-store.js";
import { VerificationStore } from "../verification/verification-store.js";
import { Verifier } from "../verification/verifier.js";
import { AttemptRunner } from "./attempt-runner.js";
import { NodeFaults } from "./node-faults.js";
import { NodeOwners } from "./node-owners.js";
import { type DeploymentGate, type ModelDeploymentSource, ReadyDeployments } from "./ready-deployments.js";
import type { TaskEventBus } from "./task-events.js";
import { pricingOfTask, type TaskRef } from "./task-ref.js";
import type { TaskStore } from "./task-store.js";

/** The settings an attempt runner takes from its process's configuration. */
export interface RunnerSettings {
  platformFeeBps: number;
  taskTimeoutMs: number;
  startWriteDelayMs: number;
  maxResultChars: number;
  /** The share of completed tasks spot-checked on another provider's node (0: only `verify` tasks). */
  verificationSampleRate: number;
  /** How long a provider's share stays pending with no check open (config.ts). */
  verificationWindowMs: number;
  /** A node at fault's penalty, times the task's provider share (config.ts). */
  verificationPenaltyFactor: number;
  /** Draws which tasks are checked (tests pass their own). */
  random?: () => number;
}

/** A process's one attempt runner, over the parts the process already has. */
export function processRunner(
  parts: {
    orm: MikroORM;
    store: TaskStore;
    deployments: ModelDeploymentSource;
    events: TaskEventBus;
    /**
     * Told of each node a check found at fault, once the fault is stored: quarantine's policy
     * (verification/quarantine.ts afterFault); without it nothing is quarantined.
     */
    afterFault?: (nodeId: string) => Promise<unknown>;
    /** Onboarding's gate on the deployments (verification/node-trust.ts); none: every replica. */
    gate?: DeploymentGate;
  },
  settings: RunnerSettings,
  log?: (msg: string) => void,
): AttemptRunner {
  const owners = new NodeOwners(parts.orm);
  const deployments = new ReadyDeployments(parts.orm, parts.deployments, parts.gate);
  const providerOf = (nodeId: string) => owners.providerOf(nodeId);
  const {
    verificationSampleRate,
    verificationWindowMs,
    verificationPenaltyFactor,
    random,
    ...runnerSettings
  } = settings;
  const reputations = new ReputationStore(parts.orm.em);
  // Always made, whatever the sample rate: a client may ask for a check of its task (`verify`),
  // and its sweep releases the pending provider shares whose window has passed.
  const verifier = new Verifier({
    store: new VerificationStore({
      em: parts.orm.em,
      events: parts.events,
      now: () => new Date(),
      penaltyFactor: verificationPenaltyFactor,
    }),
    deployments,
    providerOf,
    sampleRate: verificationSampleRate,
    windowMs: verificationWindowMs,
    scoreOf: (providerId) => reputations.providerScore(providerId),
    random: random ?? Math.random,
    callTimeoutMs: settings.taskTimeoutMs,
    maxResultChars: settings.maxResultChars,
    ...(parts.afterFault ? { afterFault: parts.afterFault } : {}),
    ...(log ? { log } : {}),
  });
  return new AttemptRunner({
    store: parts.store,
    deployments,
    events: parts.events,
    providerOf,
    faults: new NodeFaults(parts.orm),
    taskRef: (taskId) => taskRefOf(parts.orm, taskId),
    verifier,
    ...runnerSettings,
    ...(log ? { log } : {}),
  });
}

/** A task's client and escrow, read (the refund of a task whose attempt never started). */
async function taskRefOf(orm: MikroORM, taskId: string): Promise<TaskRef | null> {
  const task = await orm.em
    .fork()
    .findOne(Task, taskId, { fields: ["account", "maxPrice", "pricing", "verify"] });
  return (
    task && {
      id: task.id,
      accountId: task.account.id,
      maxPrice: task.maxPrice,
      pricing: pricingOfTask(task),
      verify: task.verify,
    }
  );
}
