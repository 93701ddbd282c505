import { randomUUID } from "node:crypto";
import type { MikroORM } from "@mikro-orm/postgresql";
import { formatNeuro } from "@neurogrid/contracts";
import { LedgerAccountKind } from "../db/entities/index.js";
import { ApiError } from "../errors.js";
import { ensureLedgerAccount } from "../ledger/ledger.js";
import { stakeMoveLegs } from "../ledger/stake.js";
import { recordStakeMove, releaseUnstake } from "../ledger/stake-statement.js";

/**
 * A provider's stake: `stake` moves NEURO from its earnings into its stake; `unstake` moves it
 * into cooling-off at once, and `releaseDue` (a repeatable job) moves each unstake whose
 * cooling-off has passed back to earnings, from where payouts pay it. Every move is one ledger
 * statement (ledger/stake-statement.ts). With a minimum stake configured, a provider registers a
 * node only when staked that much, and may not unstake below it while it has nodes.
 */
export interface StakeSummary {
  staked: bigint;
  cooling: bigint;
  /** When the earliest cooling unstake is released. */
  nextReleaseAt: Date | null;
}

export class ProviderStakes {
  readonly #orm: MikroORM;
  readonly #coolingOffMs: number;
  readonly #minimum: bigint;

  constructor(orm: MikroORM, coolingOffMs: number, minimum = 0n) {
    this.#orm = orm;
    this.#coolingOffMs = coolingOffMs;
    this.#minimum = minimum;
  }

  /** A provider takes paid work (registers a node) only with the configured minimum stake. */
  async requireNodeStake(providerId: string): Promise<void> {
    if (this.#minimum <= 0n) return;
    const { staked } = await this.summary(providerId);
    if (staked < this.#minimum) {
      throw new ApiError(
        "CONFLICT",
        `a node needs its provider to stake at least ${formatNeuro(this.#minimum)} NEURO (stakeEarnings)`,
      );
    }
  }

  async stake(providerId: string, amount: bigint, now = new Date()): Promise<void> {
    const em = this.#orm.em.fork();
    const earnings = await ensureLedgerAccount(em, LedgerAccountKind.PROVIDER_EARNINGS, providerId);
    const stake = await ensureLedgerAccount(em, LedgerAccountKind.PROVIDER_STAKE, providerId);
    const done = await recordStakeMove(em, {
      id: randomUUID(),
      providerId,
      kind: "STAKE",
      amount,
      legs: stakeMoveLegs(earnings, stake, amount),
      now,
      releasesAt: null,
    });
    if (!done) throw new ApiError("INSUFFICIENT_FUNDS", "your earnings do not cover this stake");
  }

  async unstake(providerId: string, amount: bigint, now = new Date()): Promise<Date> {
    const em = this.#orm.em.fork();
    if (this.#minimum > 0n) {
      const [nodes] = await em.execute<{ n: string }[]>(
        "select count(*) as n from nodes where provider_id = ?",
        [providerId],
      );
      const { staked } = await this.summary(providerId);
      if (Number(nodes?.n ?? 0) > 0 && staked - amount < this.#minimum) {
        throw new ApiError(
          "CONFLICT",
          `your nodes need a stake of at least ${formatNeuro(this.#minimum)} NEURO: remove them first`,
        );
      }
    }
    const stake = await ensureLedgerAccount(em, LedgerAccountKind.PROVIDER_STAKE, providerId);
    const cooling = await ensureLedgerAccount(em, LedgerAccountKind.STAKE_COOLING, providerId);
    const releasesAt = new Date(now.getTime() + this.#coolingOffMs);
    const done = await recordStakeMove(em, {
      id: randomUUID(),
      providerId,
      kind: "UNSTAKE",
      amount,
      legs: stakeMoveLegs(stake, cooling, amount),
      now,
      releasesAt,
    });
    if (!done) throw new ApiError("INSUFFICIENT_FUNDS", "your stake does not cover this unstake");
    return releasesAt;
  }

  /** Releases every unstake whose cooling-off has passed; how many. */
  async releaseDue(now = new Date()): Promise<number> {
    const em = this.#orm.em.fork();
    const due = await em.execute<{ id: string; provider_id: string; amount: string }[]>(
      "select id, provider_id, amount from stake_moves where status = 'COOLING' and releases_at <= ? order by releases_at",
      [now],
    );
    let released = 0;
    for (const m of due) {
      const cooling = await ensureLedgerAccount(em, LedgerAccountKind.STAKE_COOLING, m.provider_id);
      const earnings = await ensureLedgerAccount(em, LedgerAccountKind.PROVIDER_EARNINGS, m.provider_id);
      if (await releaseUnstake(em, m.id, stakeMoveLegs(cooling, earnings, BigInt(m.amount)), now)) released++;
    }
    return released;
  }

  async summary(providerId: string): Promise<StakeSummary> {
    const em = this.#orm.em.fork();
    const rows = await em.execute<{ kind: string; balance: string }[]>(
      "select kind, balance from ledger_accounts where owner_id = ? and kind in ('provider_stake', 'stake_cooling')",
      [providerId],
    );
    const by = new Map(rows.map((r) => [r.kind, BigInt(r.balance)]));
    const [next] = await em.execute<{ at: Date | null }[]>(
      "select min(releases_at) as at from stake_moves where provider_id = ? and status = 'COOLING'",
      [providerId],
    );
    return {
      staked: by.get(LedgerAccountKind.PROVIDER_STAKE) ?? 0n,
      cooling: by.get(LedgerAccountKind.STAKE_COOLING) ?? 0n,
      nextReleaseAt: next?.at ? new Date(next.at) : null,
    };
  }
}
