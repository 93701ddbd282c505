import type { MikroORM } from "@mikro-orm/postgresql";
import { Task } from "../db/entities/index.js";
import { AttemptRunner } from "./attempt-runner.js";
import { NodeFaults } from "./node-faults.js";
import { NodeOwners } from "./node-owners.js";
import { type ModelDeploymentSource, ReadyDeployments } from "./ready-deployments.js";
import type { TaskEventBus } from "./task-events.js";
import { pricingOfTask, type TaskRef } from "./task-ref.js";
import type { TaskStore } from "./task-store.js";

/** The settings an attempt runner takes from its process's configuration. */
export interface RunnerSettings {
  platformFeeBps: number;
  taskTimeoutMs: number;
  startWriteDelayMs: number;
  maxResultChars: number;
}

/** A process's one attempt runner, over the parts the process already has. */
export function processRunner(
  parts: { orm: MikroORM; store: TaskStore; deployments: ModelDeploymentSource; events: TaskEventBus },
  settings: RunnerSettings,
  log?: (msg: string) => void,
): AttemptRunner {
  const owners = new NodeOwners(parts.orm);
  return new AttemptRunner({
    store: parts.store,
    deployments: new ReadyDeployments(parts.orm, parts.deployments),
    events: parts.events,
    providerOf: (nodeId) => owners.providerOf(nodeId),
    faults: new NodeFaults(parts.orm),
    taskRef: (taskId) => taskRefOf(parts.orm, taskId),
    ...settings,
    ...(log ? { log } : {}),
  });
}

/** A task's client and escrow, read (the refund of a task whose attempt never started). */
async function taskRefOf(orm: MikroORM, taskId: string): Promise<TaskRef | null> {
  const task = await orm.em.fork().findOne(Task, taskId, { fields: ["account", "maxPrice", "pricing"] });
  return (
    task && { id: task.id, accountId: task.account.id, maxPrice: task.maxPrice, pricing: pricingOfTask(task) }
  );
}
