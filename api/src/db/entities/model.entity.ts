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

  @Property({ type: "timestamptz" })
  createdAt: Date = new Date();
}
