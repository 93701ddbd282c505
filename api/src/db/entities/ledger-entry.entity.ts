import { Entity, ManyToOne, OptionalProps, PrimaryKey, Property } from "@mikro-orm/core";
import { LedgerAccount } from "./ledger-account.entity.js";
import { LedgerTransaction } from "./ledger-transaction.entity.js";

/** One leg of a ledger transaction: a signed amount on one account. Legs of a tx sum to zero. */
@Entity({ tableName: "ledger_entries" })
export class LedgerEntry {
  [OptionalProps]?: "createdAt";

  @PrimaryKey({ type: "bigint", autoincrement: true })
  id!: bigint;

  @ManyToOne({ entity: () => LedgerTransaction })
  transaction!: LedgerTransaction;

  @ManyToOne({ entity: () => LedgerAccount })
  account!: LedgerAccount;

  @Property({ type: "bigint" })
  amount!: bigint;

  @Property({ type: "timestamptz" })
  createdAt: Date = new Date();
}
