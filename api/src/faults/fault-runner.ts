import { setTimeout as sleep } from "node:timers/promises";
import type { DisruptionContext } from "../chaos/chaos-scenario.js";
import type { Fault, FaultContext, FaultRecord } from "./fault-context.js";
import { headKill } from "./fault-head-kill.js";
import { headLinkDrop } from "./fault-head-link-drop.js";
import { partition } from "./fault-partition.js";
import { postgresStop } from "./fault-postgres-stop.js";
import { redisRestart } from "./fault-redis-restart.js";
import type { FaultKind, ScheduledFault } from "./fault-schedule.js";
import { workerPause } from "./fault-worker-pause.js";

const FAULTS: Record<FaultKind, Fault> = {
  "head-kill": headKill,
  "postgres-stop": postgresStop,
  "redis-restart": redisRestart,
  "worker-pause": workerPause,
  "head-link-drop": headLinkDrop,
  partition,
};

/**
 * Fires the schedule's faults in order while tasks flow: each once its point in the submissions
 * is reached (and the fault before it is over: the part is serving again), after its delay.
 * A fault that could not be carried out ends the run's disruptions with that error.
 */
export async function runSchedule(
  schedule: ScheduledFault[],
  ctx: DisruptionContext,
  infra: Omit<FaultContext, "processes" | "cluster" | "nodeIds" | "rng" | "log">,
): Promise<FaultRecord[]> {
  const faultCtx: FaultContext = {
    ...infra,
    processes: ctx.processes,
    cluster: ctx.cluster,
    nodeIds: ctx.nodeIds,
    rng: ctx.rng,
    log: ctx.log,
  };
  const records: FaultRecord[] = [];
  for (const step of schedule) {
    while (ctx.answered() < step.atTask && !ctx.over()) await sleep(10);
    if (ctx.over()) break;
    await sleep(step.delayMs);
    const answered = ctx.answered();
    const atS = Math.round((Date.now() - ctx.startedAt) / 100) / 10;
    const outcome = await FAULTS[step.kind](faultCtx);
    ctx.log(`faults: ${step.kind} on ${outcome.target} over, ${outcome.downMs} ms down`);
    records.push({ kind: step.kind, atS, answered, ...outcome });
  }
  return records;
}
