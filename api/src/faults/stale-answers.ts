import type { MikroORM } from "@mikro-orm/postgresql";
import type { FaultRecord } from "./fault-context.js";

/**
 * Answers charged after their actor's fence: COMPLETED tasks whose attempt began on a node
 * before the head declared that node DEAD and which were settled after it (the actor that
 * answered had been given up for dead and restarted elsewhere). Without fencing these are
 * charged; the run reports how many, it does not hide them.
 */
/** Stale answers printed per fence (all are counted). */
const SHOWN = 5;

export async function countStaleAnswers(
  orm: MikroORM,
  faults: FaultRecord[],
  log: (line: string) => void,
): Promise<number> {
  let stale = 0;
  for (const { fence } of faults) {
    if (!fence) continue;
    const rows = await orm.em
      .fork()
      .execute<{ id: string; actor_id: string; started: string; finished: string }[]>(
        `select id, actor_id, started_at::text as started, finished_at::text as finished from tasks
        where status = 'COMPLETED' and node_id = ? and started_at < ? and finished_at > ?`,
        [fence.nodeId, new Date(fence.deadAt), new Date(fence.deadAt)],
      );
    const fenceAt = new Date(fence.deadAt).toISOString();
    for (const r of rows.slice(0, SHOWN)) {
      log(
        `faults: stale answer: task ${r.id} (actor ${r.actor_id} on ${fence.nodeId}, fenced ${fenceAt}) started ${r.started}, settled ${r.finished}`,
      );
    }
    if (rows.length > SHOWN)
      log(`faults: ... and ${rows.length - SHOWN} more stale answers from ${fence.nodeId}`);
    stale += rows.length;
  }
  return stale;
}
