import { Entity, ManyToOne, OptionalProps, PrimaryKey, Property } from "@mikro-orm/core";
import { Account } from "./account.entity.js";

/**
 * A provider's machine, known by the node id its worker registers with the head. The provider
 * who owns the node that ran a task is credited for it.
 */
@Entity({ tableName: "nodes" })
export class Node {
  [OptionalProps]?: "createdAt";

  @PrimaryKey({ type: "text" })
  id!: string;

  @ManyToOne({ entity: () => Account })
  provider!: Account;

  @Property({ type: "timestamptz" })
  createdAt: Date = new Date();
}
