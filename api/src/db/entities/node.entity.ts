import { Entity, ManyToOne, OptionalProps, PrimaryKey, Property } from "@mikro-orm/core";
import { Account } from "./account.entity.js";

/**
 * A provider's machine, known by the node id its worker registers with the head. The provider
 * who owns the node that ran a task is credited for it.
 */
@Entity({ tableName: "nodes" })
export class Node {
  [OptionalProps]?: "createdAt" | "name";

  @PrimaryKey({ type: "text" })
  id!: string;

  @ManyToOne({ entity: () => Account })
  provider!: Account;

  @Property({ type: "text", default: "" })
  name: string = "";

  /** SHA-256 of the node token `neurogrid worker` presents (shown once, at registerNode). */
  @Property({ type: "text", nullable: true, hidden: true })
  tokenHash?: string;

  @Property({ type: "timestamptz" })
  createdAt: Date = new Date();

  @Property({ type: "timestamptz", nullable: true })
  revokedAt?: Date;

  /** When result verification quarantined it (verification/quarantine.ts); null: it is not. */
  @Property({ type: "timestamptz", nullable: true })
  quarantinedAt?: Date | null;

  @Property({ type: "text", nullable: true })
  quarantineReason?: string | null;
}
