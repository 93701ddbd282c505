/**
 * Test and benchmark support: a head and named workers as real child processes on loopback
 * (the compiled entries a real cluster runs). stop() ends every one of them by its PID, and
 * SIGKILLs the actor processes it was told about (trackActor) that outlived their worker.
 */
import { isAlive, killQuietly, type RunningProcess, startEntry } from "./processes.js";

export interface TestClusterOptions {
  /** Extra head flags (the head always gets --port 0). */
  headArgs?: string[];
  /** Worker node ids and each one's extra flags (--head and --node-id are given). */
  workers: Record<string, string[]>;
}

export interface TestCluster {
  headAddress: string;
  head: RunningProcess;
  workers: ReadonlyMap<string, RunningProcess>;
  trackActor(pid: number): void;
  stop(): Promise<void>;
}

const START_TIMEOUT_MS = 60_000;

export async function startTestCluster(options: TestClusterOptions): Promise<TestCluster> {
  const processes: RunningProcess[] = [];
  const actorPids = new Set<number>();
  const workers = new Map<string, RunningProcess>();
  const stop = async () => {
    await Promise.all(processes.reverse().map((proc) => proc.stop()));
    for (const pid of actorPids) if (pid > 0 && isAlive(pid)) killQuietly(pid, "SIGKILL");
  };
  try {
    const head = await startEntry({
      name: "head",
      entry: "head-main",
      args: ["--port", "0", ...(options.headArgs ?? [])],
      ready: /^neurogrid head listening on (\S+)$/,
      timeoutMs: START_TIMEOUT_MS,
    });
    processes.push(head.proc);
    const headAddress = head.match[1] ?? "";
    await Promise.all(
      Object.entries(options.workers).map(async ([nodeId, args]) => {
        const { proc } = await startEntry({
          name: nodeId,
          entry: "worker-main",
          args: ["--head", headAddress, "--node-id", nodeId, ...args],
          ready: /registered with head at /,
          timeoutMs: START_TIMEOUT_MS,
        });
        processes.push(proc);
        workers.set(nodeId, proc);
      }),
    );
    return { headAddress, head: head.proc, workers, trackActor: (pid) => actorPids.add(pid), stop };
  } catch (err) {
    await stop();
    throw err;
  }
}
