import { randomUUID } from "node:crypto";
import { Entity, ManyToOne, OptionalProps, PrimaryKey, Property } from "@mikro-orm/core";
import { Account } from "./account.entity.js";

/** An API key: only its SHA-256 hash is stored; the prefix is shown to help tell keys apart. */
@Entity({ tableName: "api_keys" })
export class ApiKey {
  [OptionalProps]?: "createdAt" | "label" | "scopes";

  @PrimaryKey({ type: "uuid" })
  id: string = randomUUID();

  @ManyToOne({ entity: () => Account, deleteRule: "cascade" })
  account!: Account;

  @Property({ type: "text" })
  prefix!: string;

  @Property({ type: "text", unique: true })
  keyHash!: string;

  @Property({ type: "text", default: "" })
  label: string = "";

  /** What the key may do (identity/scopes.ts); empty = everything its account's role may do. */
  @Property({ type: "json" })
  scopes: string[] = [];

  @Property({ type: "timestamptz" })
  createdAt: Date = new Date();

  @Property({ type: "timestamptz", nullable: true })
  lastUsedAt?: Date;

  @Property({ type: "timestamptz", nullable: true })
  revokedAt?: Date;
}
