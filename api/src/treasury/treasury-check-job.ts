import type { MikroORM } from "@mikro-orm/postgresql";
import type { AlertService } from "../alerts/alert-service.js";
import type { DepositChain } from "../deposits/deposit-watcher.js";
import type { RedisConnections } from "../infra/redis-connections.js";
import { type RepeatableJob, repeatEvery } from "../infra/repeatable-job.js";
import { checkTreasury, type TreasuryReport } from "./treasury-check.js";

/**
 * The treasury check on a schedule (a repeatable job, one at a time per process): a
 * difference opens the admin alert "treasury" (on the alerts query and the gpuAlerts
 * subscription; one open alert at most, whichever process records it), a clean check resolves
 * it. Providers never see it: it belongs to no node of theirs.
 */
const TREASURY_QUEUE = "treasury-check";
const TREASURY_ALERT_NODE = "treasury";

export class TreasuryCheckJob {
  #job: RepeatableJob | undefined;
  readonly #orm: MikroORM;
  readonly #chain: DepositChain;
  readonly #alerts: AlertService;
  readonly #log: (msg: string, err?: unknown) => void;

  constructor(
    orm: MikroORM,
    chain: DepositChain,
    alerts: AlertService,
    log: (msg: string, err?: unknown) => void,
  ) {
    this.#orm = orm;
    this.#chain = chain;
    this.#alerts = alerts;
    this.#log = log;
  }

  /** One check, and the alert it opens or resolves. */
  async run(now = new Date()): Promise<TreasuryReport> {
    const report = await checkTreasury(this.#orm, this.#chain);
    const mismatch = report.differences.find((d) => d.kind === "BALANCE_MISMATCH");
    const difference = mismatch?.kind === "BALANCE_MISMATCH" ? mismatch.difference : 0n;
    const opened = await this.#alerts.announce({
      change: report.ok ? "resolved" : "opened",
      nodeId: TREASURY_ALERT_NODE,
      gpuIndex: 0,
      gpuUuid: report.treasuryTokenAccount,
      metric: "treasury",
      level: "critical",
      value: report.ok ? 0 : Number(difference === 0n ? BigInt(report.differences.length) : difference),
      threshold: 0,
      atMs: now.getTime(),
    });
    if (opened && !report.ok) {
      this.#log(`treasury check: ${report.differences.length} difference(s); alert opened`);
    }
    return report;
  }

  async schedule(connections: RedisConnections, intervalMs: number): Promise<void> {
    this.#job = await repeatEvery(
      connections,
      TREASURY_QUEUE,
      intervalMs,
      async () => void (await this.run()),
      this.#log,
    );
  }

  async close(): Promise<void> {
    await this.#job?.close();
  }
}
