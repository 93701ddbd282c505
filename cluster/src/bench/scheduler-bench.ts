/**
 * Scheduler benchmark: places 10,000 actors on 1,000 simulated nodes, then on 10,000, through
 * the head's actor manager, node table, resource table and scheduler, with an in-memory worker
 * client that starts actors at once (no processes, no network). It prints decisions per
 * second and the per-decision cost ratio (10,000 nodes / 1,000 nodes). A flat ratio means the
 * node index keeps each decision from scanning the cluster.
 *
 *   node cluster/dist/bench/scheduler-bench.js [--json] [--actors N]
 *
 * The cluster mixes machine types (CPU-only, 4-GPU and 8-GPU nodes, some with a custom
 * resource, labelled by zone); the actors mix CPU-only, fractional-GPU with VRAM, whole-GPU,
 * SPREAD, node-affinity and label-selector requests. With --json the last line is one JSON
 * object: { decisionsPerS (the slower size), costRatio, rounds, runs: [...] }. Each size runs
 * five times, alternating with the other, and reports its median run.
 */
import { type ActorSpec, ActorState, type NodeResources } from "@neurogrid/schema";
import { ActorManager } from "../head/actor-manager.js";
import { FakeWorkerClient } from "../head/fake-worker-client.js";
import { NodeManager } from "../head/node-manager.js";
import { ResourceTable } from "../head/resource-table.js";

interface Run {
  nodes: number;
  actors: number;
  placed: number;
  pending: number;
  seconds: number;
  decisionsPerS: number;
  microsPerDecision: number;
}

function gpus(count: number, memoryMb: number) {
  return Array.from({ length: count }, (_, index) => ({
    index,
    uuid: `g${index}`,
    name: "Sim GPU",
    memoryMb,
  }));
}

function nodeShape(i: number): { total: NodeResources; labels: Record<string, string> } {
  const zone = `zone-${i % 10}`;
  switch (i % 4) {
    case 0:
    case 1:
      return { total: { cpus: 32, memoryMb: 131_072, gpus: [], custom: {} }, labels: { zone, kind: "cpu" } };
    case 2:
      return {
        total: { cpus: 32, memoryMb: 262_144, gpus: gpus(4, 24_576), custom: {} },
        labels: { zone, kind: "gpu" },
      };
    default:
      return {
        total: { cpus: 64, memoryMb: 524_288, gpus: gpus(8, 81_920), custom: { nvlink: 1 } },
        labels: { zone, kind: "gpu" },
      };
  }
}

function actorSpec(i: number, nodes: number): ActorSpec {
  const base = { name: `a${i}`, namespace: "bench", className: "echo", initArgs: undefined };
  switch (i % 10) {
    case 0:
    case 1:
    case 2:
      return { ...base, resources: { cpus: 1, memoryMb: 2048, gpus: 0, custom: {} } };
    case 3:
      return { ...base, resources: { cpus: 0.5, memoryMb: 1024, gpus: 0.25, vramMb: 4096, custom: {} } };
    case 4:
      return { ...base, resources: { cpus: 1, memoryMb: 8192, gpus: 1, vramMb: 20_000, custom: {} } };
    case 5:
      return {
        ...base,
        resources: { cpus: 0.25, memoryMb: 512, gpus: 0, custom: {} },
        schedulingStrategy: { kind: "SPREAD" },
      };
    case 6:
      return {
        ...base,
        resources: { cpus: 2, memoryMb: 4096, gpus: 0.5, vramMb: 30_000, custom: { nvlink: 0.1 } },
      };
    case 7:
      return {
        ...base,
        resources: { cpus: 1, memoryMb: 1024, gpus: 0, custom: {} },
        schedulingStrategy: { kind: "NODE_AFFINITY", nodeId: `node-${(i * 7919) % nodes}`, soft: true },
      };
    case 8:
      return {
        ...base,
        resources: { cpus: 1, memoryMb: 1024, gpus: 0, custom: {} },
        labelSelector: { zone: `zone-${i % 10}` },
      };
    default:
      return { ...base, resources: { cpus: 0.5, memoryMb: 2048, gpus: 0.1, vramMb: 2000, custom: {} } };
  }
}

async function run(nodeCount: number, actorCount: number): Promise<Run> {
  const resources = new ResourceTable();
  const nodes = new NodeManager({ heartbeatTimeoutMs: 3_600_000, resources });
  let id = 0;
  const actors = new ActorManager({
    nodes,
    resources,
    workers: new FakeWorkerClient(),
    startTimeoutMs: 60_000,
    newActorId: () => `actor-${++id}`,
  });
  for (let i = 0; i < nodeCount; i++) {
    const { total, labels } = nodeShape(i);
    nodes.register({
      nodeId: `node-${i}`,
      address: `10.0.${i >> 8}.${i & 255}:7000`,
      resources: total,
      labels,
      nodeToken: "",
    });
  }
  const specs = Array.from({ length: actorCount }, (_, i) => actorSpec(i, nodeCount));
  const started = process.hrtime.bigint();
  for (const spec of specs) void actors.getOrCreate(spec);
  await new Promise((resolve) => setImmediate(resolve)); // every start the fake worker answered has landed
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  const all = actors.list("bench");
  const placed = all.filter((a) => a.state === ActorState.ALIVE).length;
  return {
    nodes: nodeCount,
    actors: actorCount,
    placed,
    pending: all.filter((a) => a.state === ActorState.PENDING_CREATION).length,
    seconds,
    decisionsPerS: Math.round(actorCount / seconds),
    microsPerDecision: (seconds * 1e6) / actorCount,
  };
}

const args = process.argv.slice(2);
const json = args.includes("--json");
const actorsFlag = args.indexOf("--actors");
const actors = actorsFlag >= 0 ? Number(args[actorsFlag + 1]) : 10_000;
const ROUNDS = 5;

/** The run with the median per-decision cost (a single 0.2 s run is at the mercy of a busy machine). */
function median(runs: Run[]): Run {
  const sorted = [...runs].sort((a, b) => a.microsPerDecision - b.microsPerDecision);
  return sorted[Math.floor(sorted.length / 2)] as Run;
}

// Warm-up (the JIT compiles the hot paths), then rounds that alternate the two sizes, so that
// load from elsewhere on the machine falls on both alike.
await run(1_000, actors);
await run(10_000, actors);
const smallRuns: Run[] = [];
const largeRuns: Run[] = [];
for (let round = 0; round < ROUNDS; round++) {
  smallRuns.push(await run(1_000, actors));
  largeRuns.push(await run(10_000, actors));
}
const small = median(smallRuns);
const large = median(largeRuns);
for (const r of [small, large]) {
  process.stdout.write(
    `${r.nodes} nodes: ${r.actors} actors (${r.placed} placed, ${r.pending} pending), median of ${ROUNDS}: ` +
      `${r.seconds.toFixed(3)} s, ${r.decisionsPerS} decisions/s, ${r.microsPerDecision.toFixed(2)} µs/decision\n`,
  );
}
const costRatio = large.microsPerDecision / small.microsPerDecision;
const decisionsPerS = Math.min(small.decisionsPerS, large.decisionsPerS);
process.stdout.write(`per-decision cost ratio 10,000 / 1,000 nodes: ${costRatio.toFixed(3)}\n`);
if (json) {
  const result = {
    decisionsPerS,
    costRatio: Number(costRatio.toFixed(3)),
    rounds: ROUNDS,
    runs: [small, large],
  };
  process.stdout.write(`${JSON.stringify(result)}\n`);
}
