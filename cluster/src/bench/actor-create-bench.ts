/**
 * Actor creation benchmark: real actors created per second on this machine, with the worker's
 * pool of prestarted actor processes and without it, measured in the same run.
 *
 *   node cluster/dist/bench/actor-create-bench.js [--json] [--actors N]
 *
 * Each mode starts a head and a worker as child processes (the worker with --actor-pool-size N
 * or 0), waits until the pool's processes are up, then creates N "echo" actors one after the
 * other through ClusterClient.getOrCreateActor (placement by the head, StartActor on the
 * worker, the actor process constructing the actor and serving its port). The rate is N over
 * the total time; the first call on each actor is not part of it. With --json the last line is
 * one JSON object: { withPool, withoutPool (actors/s), speedup, actors, withPoolMsP50,
 * withoutPoolMsP50 }.
 */
import { readFileSync } from "node:fs";
import { waitFor } from "../cli/testing/processes.js";
import { startTestCluster } from "../cli/testing/test-cluster.js";
import { ClusterClient } from "../client/cluster-client.js";
import { benchArgs, median, round } from "./measure.js";

/** Child pids of a process (Linux /proc); undefined where /proc cannot tell. */
function childCount(pid: number): number | undefined {
  try {
    return readFileSync(`/proc/${pid}/task/${pid}/children`, "utf8").trim().split(/\s+/).filter(Boolean)
      .length;
  } catch {
    return undefined;
  }
}

async function createMany(poolSize: number, actors: number): Promise<{ perS: number; msP50: number }> {
  const cluster = await startTestCluster({
    workers: { "bench-node": ["--actor-pool-size", String(poolSize)] },
  });
  const worker = cluster.workers.get("bench-node");
  const client = new ClusterClient({ headAddress: cluster.headAddress });
  try {
    if (poolSize > 0) {
      await waitFor(
        "the pool to fill",
        () => {
          const count = worker === undefined ? undefined : childCount(worker.pid);
          return count === undefined || count >= poolSize ? true : undefined;
        },
        60_000,
      );
      // Past fork: let the pooled processes finish loading and say hello.
      await new Promise((resolve) => setTimeout(resolve, 2_000));
    }
    const times: number[] = [];
    const started = performance.now();
    for (let i = 0; i < actors; i += 1) {
      const t0 = performance.now();
      await client.getOrCreateActor({
        name: `create-${i}`,
        namespace: "bench",
        className: "echo",
        initArgs: {},
        resources: { cpus: 0, memoryMb: 0, gpus: 0, custom: {} },
      });
      times.push(performance.now() - t0);
    }
    const seconds = (performance.now() - started) / 1_000;
    return { perS: actors / seconds, msP50: median(times) };
  } finally {
    client.close();
    await cluster.stop();
  }
}

async function main(): Promise<void> {
  const args = benchArgs(process.argv.slice(2), { actors: 8 });
  const actors = Math.floor(args.actors);
  const without = await createMany(0, actors);
  console.log(`without the pool: ${round(without.perS, 1)} actors/s (p50 ${round(without.msP50, 1)} ms)`);
  const withPool = await createMany(actors, actors);
  console.log(
    `with a pool of ${actors}: ${round(withPool.perS, 1)} actors/s (p50 ${round(withPool.msP50, 1)} ms)`,
  );
  const summary = {
    withPool: round(withPool.perS, 1),
    withoutPool: round(without.perS, 1),
    speedup: round(withPool.perS / without.perS, 2),
    actors,
    withPoolMsP50: round(withPool.msP50, 1),
    withoutPoolMsP50: round(without.msP50, 1),
  };
  console.log(`speedup x${summary.speedup}`);
  if (args.json) console.log(JSON.stringify(summary));
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : String(err));
  process.exit(1);
});
