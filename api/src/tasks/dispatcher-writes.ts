import type { MikroORM } from "@mikro-orm/postgresql";
import { type CaptureRequest, completeAndCapture } from "../ledger/escrow.js";
import { completeAndCaptureMany } from "../ledger/escrow-batch.js";
import { GroupCommit } from "./group-commit.js";
import { type BeginRequest, beginTasks, type StartedTask } from "./settle.js";

/**
 * The dispatcher's two writes per task, each through a group commit (group-commit.ts): starts
 * (QUEUED -> RUNNING, settle.ts beginTasks) and captures (ledger/escrow-batch.ts) that arrive
 * while one is in flight are written together, one statement for the group. Each task keeps
 * its own guards inside the statement (not final yet; one capture per task), so grouping
 * changes the number of round trips and WAL flushes, not what a task may do.
 */
const MAX_BATCH = 128;
const MAX_IN_FLIGHT = 2;

export interface DispatcherWrites {
  begin(req: BeginRequest): Promise<StartedTask | null>;
  capture(req: CaptureRequest): Promise<boolean>;
}

export function dispatcherWrites(orm: MikroORM): DispatcherWrites {
  // Each write is one prepared statement on a pooled connection (db/prepared.ts): no entity,
  // no identity map, so no EntityManager of its own (a fork per write cost CPU for nothing).
  const em = orm.em;
  const starts = new GroupCommit<BeginRequest, StartedTask | null>({
    one: async (r) => (await beginTasks(em, [r]))[0] ?? null,
    many: (rs) => beginTasks(em, rs),
    maxBatch: MAX_BATCH,
    maxInFlight: MAX_IN_FLIGHT,
  });
  const captures = new GroupCommit<CaptureRequest, boolean>({
    one: (r) => completeAndCapture(em, r),
    many: (rs) => completeAndCaptureMany(em, rs),
    maxBatch: MAX_BATCH,
    maxInFlight: MAX_IN_FLIGHT,
  });
  return {
    begin: (r) => starts.submit(r),
    capture: (r) => captures.submit(r),
  };
}
