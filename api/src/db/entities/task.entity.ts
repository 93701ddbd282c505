import { randomUUID } from "node:crypto";
import { Entity, Enum, Index, ManyToOne, OptionalProps, PrimaryKey, Property, Unique } from "@mikro-orm/core";
import type { Pricing, TaskStatus } from "@neurogrid/schema";
import { Account } from "./account.entity.js";
import { Model } from "./model.entity.js";

const STATUSES = ["QUEUED", "SCHEDULED", "RUNNING", "COMPLETED", "FAILED", "CANCELLED"];

/**
 * One inference task. Its id is the idempotency key end to end: the BullMQ job id, and the
 * task_id of its ledger transactions (unique per kind), so nothing runs or is charged twice.
 */
@Entity({ tableName: "tasks" })
@Unique({ properties: ["account", "idempotencyKey"] })
@Index({ properties: ["status"] })
export class Task {
  [OptionalProps]?: "createdAt" | "priority" | "attempts" | "verify";

  @PrimaryKey({ type: "uuid" })
  id: string = randomUUID();

  @ManyToOne({ entity: () => Account })
  account!: Account;

  @ManyToOne({ entity: () => Model })
  model!: Model;

  @Property({ type: "text", nullable: true })
  idempotencyKey?: string;

  @Property({ type: "integer", default: 0 })
  priority: number = 0;

  @Enum({ items: () => STATUSES, type: "text" })
  status!: TaskStatus;

  @Property({ type: "json" })
  input!: Record<string, unknown>;

  @Property({ type: "json", nullable: true })
  result?: Record<string, unknown>;

  @Property({ type: "text", nullable: true })
  error?: string;

  /**
   * The client asked for a check of this task (`verify` on submit): it is always drawn while
   * another provider can run it, and its escrow covers the extra run (ledger/verification-money.ts).
   */
  @Property({ type: "boolean", default: false })
  verify: boolean = false;

  /** Held in escrow at submission (smallest units). */
  @Property({ type: "bigint" })
  maxPrice!: bigint;

  /** Captured on completion (smallest units); null until then. */
  @Property({ type: "bigint", nullable: true })
  cost?: bigint;

  /** The pricing the task was submitted under (null: per call at maxPrice, older tasks). */
  @Property({ type: "json", nullable: true })
  pricing?: Pricing;

  /** Units charged for (calls, output tokens or compute milliseconds: see pricing.ts). */
  @Property({ type: "bigint", nullable: true })
  units?: bigint;

  @Property({ type: "bigint", nullable: true })
  platformFee?: bigint;

  @Property({ type: "bigint", nullable: true })
  providerEarning?: bigint;

  @Property({ type: "text", nullable: true })
  executionProvider?: string;

  @Property({ type: "text", nullable: true })
  nodeId?: string;

  @Property({ type: "text", nullable: true })
  actorId?: string;

  /** The fencing epoch of the actor incarnation the task runs on (with actorId); null: not known. */
  @Property({ type: "integer", nullable: true })
  actorEpoch?: number;

  @Property({ type: "double", nullable: true })
  inferenceMs?: number;

  @Property({ type: "integer", default: 0 })
  attempts: number = 0;

  @Property({ type: "timestamptz" })
  createdAt: Date = new Date();

  @Property({ type: "timestamptz", nullable: true })
  scheduledAt?: Date;

  @Property({ type: "timestamptz", nullable: true })
  startedAt?: Date;

  @Property({ type: "timestamptz", nullable: true })
  finishedAt?: Date;
}
