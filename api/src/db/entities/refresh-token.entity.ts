import { randomUUID } from "node:crypto";
import { Entity, Index, ManyToOne, OptionalProps, PrimaryKey, Property } from "@mikro-orm/core";
import { Account } from "./account.entity.js";

/**
 * A refresh token (only its SHA-256 is stored). Tokens of one login form a family: each refresh
 * uses one up and issues its successor; presenting a used token again is reuse (a stolen token)
 * and revokes the whole family.
 */
@Entity({ tableName: "refresh_tokens" })
export class RefreshToken {
  [OptionalProps]?: "createdAt";

  @PrimaryKey({ type: "uuid" })
  id: string = randomUUID();

  @ManyToOne({ entity: () => Account, deleteRule: "cascade" })
  account!: Account;

  @Index()
  @Property({ type: "uuid" })
  familyId!: string;

  @Property({ type: "text", unique: true })
  tokenHash!: string;

  @Property({ type: "timestamptz" })
  createdAt: Date = new Date();

  @Property({ type: "timestamptz" })
  expiresAt!: Date;

  @Property({ type: "timestamptz", nullable: true })
  usedAt?: Date;

  @Property({ type: "timestamptz", nullable: true })
  revokedAt?: Date;
}
