import { randomUUID } from "node:crypto";
import { Entity, OptionalProps, PrimaryKey, Property, Unique } from "@mikro-orm/core";
import type { ModelManifest } from "@neurogrid/schema";

/** A servable model version: its declared interface (manifest) and its price per call. */
@Entity({ tableName: "models" })
@Unique({ properties: ["name", "version"] })
export class Model {
  [OptionalProps]?: "createdAt";

  @PrimaryKey({ type: "uuid" })
  id: string = randomUUID();

  @Property({ type: "text" })
  name!: string;

  @Property({ type: "text" })
  version!: string;

  @Property({ type: "json" })
  manifest!: ModelManifest;

  /** Smallest units of NEURO per call. */
  @Property({ type: "bigint" })
  pricePerCall!: bigint;

  /** sha256 of the registered artifact (model_artifacts); null for a builtin model. */
  @Property({ type: "text", nullable: true })
  sha256?: string | null;

  /** Size of the registered artifact in bytes; null for a builtin model. */
  @Property({ type: "bigint", nullable: true })
  sizeBytes?: bigint | null;

  @Property({ type: "timestamptz" })
  createdAt: Date = new Date();
}
