/**
 * A worker's pid file, DATA_DIR/worker.pid ({"pid", "nodeId"}): written once the worker runs,
 * removed when it stops, so that `neurogrid worker --config FILE --stop` finds the worker started
 * from the same config, and a second worker on the same data folder is refused while the first
 * lives (two agents would share one model cache and one node id).
 */
import { mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { ClusterError } from "../errors.js";

const PID_FILE = "worker.pid";
/** How often a stop looks whether the worker has exited. */
const STOP_POLL_MS = 100;

interface PidRecord {
  pid: number;
  nodeId: string;
}

const pidFileOf = (dataDir: string): string => join(dataDir, PID_FILE);

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === "EPERM";
  }
}

/** The worker recorded in dataDir that still runs, if any. */
function runningWorker(dataDir: string): PidRecord | undefined {
  let record: PidRecord;
  try {
    record = JSON.parse(readFileSync(pidFileOf(dataDir), "utf8")) as PidRecord;
  } catch {
    return undefined;
  }
  return Number.isInteger(record.pid) && record.pid > 0 && alive(record.pid) ? record : undefined;
}

/** Records this process as dataDir's worker; returns the release (removes the file if still ours). */
export function claimPidFile(dataDir: string, nodeId: string): () => void {
  const other = runningWorker(dataDir);
  if (other !== undefined && other.pid !== process.pid) {
    throw new ClusterError(
      "INVALID_ARGUMENT",
      `a worker (node ${other.nodeId}, pid ${other.pid}) already runs from ${dataDir}: stop it first (--stop)`,
    );
  }
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  const file = pidFileOf(dataDir);
  writeFileSync(file, `${JSON.stringify({ pid: process.pid, nodeId })}\n`, { mode: 0o600 });
  return () => {
    if (runningWorker(dataDir)?.pid === process.pid) rmSync(file, { force: true });
  };
}

export type StopResult =
  | { stopped: true; pid: number; nodeId: string }
  | { stopped: false; reason: "not-running" }
  | { stopped: false; reason: "still-running"; pid: number; nodeId: string };

/** Sends SIGTERM to dataDir's worker (a graceful stop) and waits up to `waitMs` for it to exit. */
export async function stopRecordedWorker(dataDir: string, waitMs: number): Promise<StopResult> {
  const worker = runningWorker(dataDir);
  if (worker === undefined) return { stopped: false, reason: "not-running" };
  process.kill(worker.pid, "SIGTERM");
  const deadline = Date.now() + waitMs;
  while (alive(worker.pid)) {
    if (Date.now() >= deadline) return { stopped: false, reason: "still-running", ...worker };
    await new Promise((resolve) => setTimeout(resolve, STOP_POLL_MS));
  }
  return { stopped: true, ...worker };
}
