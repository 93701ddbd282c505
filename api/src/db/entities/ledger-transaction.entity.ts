import { randomUUID } from "node:crypto";
import { Entity, OptionalProps, PrimaryKey, Property, Unique } from "@mikro-orm/core";

export const LedgerTxKind = {
  DEPOSIT: "deposit",
  HOLD: "hold",
  CAPTURE: "capture",
  REFUND: "refund",
  PAYOUT: "payout",
  PAYOUT_SETTLED: "payout_settled",
  PAYOUT_RETURNED: "payout_returned",
  /** NEURO that reached the treasury on chain, once per transaction signature. */
  CHAIN_DEPOSIT: "chain_deposit",
  WITHDRAWAL: "withdrawal",
  WITHDRAWAL_SETTLED: "withdrawal_settled",
  WITHDRAWAL_RETURNED: "withdrawal_returned",
  STAKE: "stake",
  UNSTAKE: "unstake",
  UNSTAKE_RELEASED: "unstake_released",
  /** Result verification's movements of a task (ledger/verification-money.ts). */
  RELEASE: "release",
  FORFEIT: "forfeit",
  PENALTY: "penalty",
  VERIFICATION_REFUND: "verification_refund",
} as const;
export type LedgerTxKind = (typeof LedgerTxKind)[keyof typeof LedgerTxKind];

/** One balanced movement. (task_id, kind) is unique: a task is held, captured, refunded once. */
@Entity({ tableName: "ledger_transactions" })
@Unique({ properties: ["taskId", "kind"] })
export class LedgerTransaction {
  [OptionalProps]?: "createdAt" | "memo";

  @PrimaryKey({ type: "uuid" })
  id: string = randomUUID();

  @Property({ type: "text" })
  kind!: LedgerTxKind;

  @Property({ type: "uuid", nullable: true })
  taskId?: string;

  @Property({ type: "text", default: "" })
  memo: string = "";

  @Property({ type: "timestamptz" })
  createdAt: Date = new Date();
}
