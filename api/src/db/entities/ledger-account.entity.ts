import { randomUUID } from "node:crypto";
import { Entity, Enum, ManyToOne, OptionalProps, PrimaryKey, Property, Unique } from "@mikro-orm/core";
import { Account } from "./account.entity.js";

/**
 * Kinds of ledger accounts. A client has `available` and `held` (escrow); a provider has
 * `provider_pending` (held) and `provider_earnings` (payable); the platform has one `platform_fees` and one `external` account, the
 * counterpart of deposits (and later of on-chain movements), the only one that may go negative.
 */
export const LedgerAccountKind = {
  EXTERNAL: "external",
  PLATFORM_FEES: "platform_fees",
  CLIENT_AVAILABLE: "client_available",
  CLIENT_HELD: "client_held",
  PROVIDER_EARNINGS: "provider_earnings",
  PAYOUTS_IN_FLIGHT: "payouts_in_flight",
  /** NEURO the treasury received that matched no request or linked wallet: owed, to nobody yet. */
  UNMATCHED_DEPOSITS: "unmatched_deposits",
  /** Client withdrawals sent (or being sent) on chain, not yet confirmed or returned. */
  WITHDRAWALS_IN_FLIGHT: "withdrawals_in_flight",
  /** A provider's stake, and what it is taking back through the cooling-off period. */
  PROVIDER_STAKE: "provider_stake",
  STAKE_COOLING: "stake_cooling",
  /**
   * A provider's share of its captured tasks, held until each task is verified or its
   * verification window passes (then released to `provider_earnings`); never paid out from here.
   */
  PROVIDER_PENDING: "provider_pending",
} as const;
export type LedgerAccountKind = (typeof LedgerAccountKind)[keyof typeof LedgerAccountKind];

@Entity({ tableName: "ledger_accounts" })
@Unique({ properties: ["kind", "owner"] })
export class LedgerAccount {
  [OptionalProps]?: "balance";

  @PrimaryKey({ type: "uuid" })
  id: string = randomUUID();

  @Enum({ items: () => Object.values(LedgerAccountKind), type: "text" })
  kind!: LedgerAccountKind;

  @ManyToOne({ entity: () => Account, nullable: true })
  owner?: Account;

  /** Kept in step with the entries, in the same transaction (checked by the ledger check). */
  @Property({ type: "bigint", default: 0 })
  balance: bigint = 0n;
}
