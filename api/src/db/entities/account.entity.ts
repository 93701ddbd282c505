import { randomUUID } from "node:crypto";
import { Entity, Enum, OptionalProps, PrimaryKey, Property } from "@mikro-orm/core";

export const Role = { CLIENT: "client", PROVIDER: "provider", ADMIN: "admin" } as const;
export type Role = (typeof Role)[keyof typeof Role];

/** A user of NeuroGrid: a client who submits tasks, a provider who runs nodes, or an admin. */
@Entity({ tableName: "accounts" })
export class Account {
  [OptionalProps]?: "createdAt";

  @PrimaryKey({ type: "uuid" })
  id: string = randomUUID();

  @Property({ type: "text", unique: true })
  name!: string;

  @Property({ type: "text", nullable: true, unique: true })
  email?: string;

  /** scrypt hash (identity/passwords.ts); null for accounts that only use API keys. */
  @Property({ type: "text", nullable: true, hidden: true })
  passwordHash?: string;

  @Enum({ items: () => Object.values(Role), type: "text" })
  role!: Role;

  @Property({ type: "timestamptz" })
  createdAt: Date = new Date();
}
