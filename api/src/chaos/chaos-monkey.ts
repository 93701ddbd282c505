import { setTimeout as sleep } from "node:timers/promises";
import type { ClusterClient } from "@neurogrid/cluster";
import { MODEL_NAMESPACE } from "../tasks/model-actor-spec.js";
import type { ChaosProcesses, Victim } from "./chaos-processes.js";
import type { Prng } from "./prng.js";

/**
 * The chaos monkey: kill -9 a worker, then the dispatcher process, then the api process, each
 * at a random moment while tasks flow, and start each again right after.
 *
 * When: the seeded PRNG draws, for each victim, a point in the submissions (a fraction of the
 * tasks answered, in a window of its own so the kills come in order and spread over the run)
 * and a delay after it (0-400 ms), so a kill rarely lines up with a request boundary. A kill
 * also waits for the previous victim to be back. The same seed gives the same plan.
 *
 * Which worker: the one hosting the model's actor (killing an idle node tests nothing); a PRNG
 * pick when the head knows of no live actor. It comes back with the same node id once the head
 * has seen it die (missed heartbeats): a node that reboots takes that long anyway, and the head
 * then knows its actors are gone.
 */
export interface KillRecord {
  victim: Victim;
  /** The node id for a worker, else the victim's name. */
  target: string;
  pid: number | undefined;
  /** Seconds since the run began. */
  atS: number;
  /** Submissions answered when it was killed. */
  answered: number;
  /** How long until it was serving again. */
  downMs: number;
}

export interface MonkeyContext {
  rng: Prng;
  processes: ChaosProcesses;
  cluster: ClusterClient;
  nodeIds: string[];
  tasks: number;
  startedAt: number;
  answered: () => number;
  /** True once the run is over (deadline or abort): no more kills. */
  over: () => boolean;
  log: (line: string) => void;
}

const WINDOWS: [Victim, number, number][] = [
  ["worker", 0.1, 0.25],
  ["dispatcher", 0.35, 0.5],
  ["api", 0.6, 0.8],
];

export async function runMonkey(ctx: MonkeyContext): Promise<KillRecord[]> {
  const plan = WINDOWS.map(([victim, lo, hi]) => ({
    victim,
    at: Math.floor(ctx.rng.between(lo, hi) * ctx.tasks),
    delayMs: Math.round(ctx.rng.between(0, 400)),
  }));
  const kills: KillRecord[] = [];
  for (const step of plan) {
    while (ctx.answered() < step.at && !ctx.over()) await sleep(10);
    if (ctx.over()) break;
    await sleep(step.delayMs);
    kills.push(await killAndRestart(ctx, step.victim));
  }
  return kills;
}

async function killAndRestart(ctx: MonkeyContext, victim: Victim): Promise<KillRecord> {
  const answered = ctx.answered();
  const atS = (Date.now() - ctx.startedAt) / 1000;
  let target: string = victim;
  let pid: number | undefined;
  let down: number;
  if (victim === "worker") {
    target = await actorHost(ctx);
    pid = await ctx.processes.kill("worker", target);
    down = Date.now();
    ctx.log(`chaos: kill -9 worker ${target} (pid ${pid}) after ${answered} submissions`);
    await untilNodeDead(ctx.cluster, target);
    await ctx.processes.startWorker(target);
  } else {
    pid = await ctx.processes.kill(victim);
    down = Date.now();
    ctx.log(`chaos: kill -9 ${victim} (pid ${pid}) after ${answered} submissions`);
    if (victim === "api") await ctx.processes.startApi();
    else await ctx.processes.startDispatcher();
  }
  const downMs = Date.now() - down;
  ctx.log(`chaos: ${target} is back after ${downMs} ms`);
  return { victim, target, pid, atS: Math.round(atS * 10) / 10, answered, downMs };
}

async function actorHost(ctx: MonkeyContext): Promise<string> {
  try {
    const actors = await ctx.cluster.listActors(MODEL_NAMESPACE);
    const alive = actors.find((a) => a.state === "ALIVE" && ctx.nodeIds.includes(a.nodeId));
    if (alive) return alive.nodeId;
  } catch {
    // the head did not answer: pick one
  }
  return ctx.nodeIds[Math.floor(ctx.rng.next() * ctx.nodeIds.length)] as string;
}

async function untilNodeDead(cluster: ClusterClient, nodeId: string, timeoutMs = 30_000): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (Date.now() < until) {
    try {
      const node = (await cluster.listNodes()).find((n) => n.nodeId === nodeId);
      if (!node || node.state === "DEAD") return;
    } catch {
      // the head did not answer this time
    }
    await sleep(100);
  }
  throw new Error(`the head did not see node ${nodeId} die within ${timeoutMs} ms`);
}
