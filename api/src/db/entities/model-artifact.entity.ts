import { Entity, OptionalProps, PrimaryKey, Property } from "@mikro-orm/core";

/** The bytes of a registered model (an ONNX file), stored once per content: keyed by sha256. */
@Entity({ tableName: "model_artifacts" })
export class ModelArtifact {
  [OptionalProps]?: "createdAt";

  /** Lowercase hex sha256 of `bytes`. */
  @PrimaryKey({ type: "text" })
  sha256!: string;

  @Property({ type: "bigint" })
  sizeBytes!: bigint;

  /** Loaded only when asked for (`populate: ["bytes"]`): listing never reads them. */
  @Property({ type: "blob", lazy: true })
  bytes!: Buffer;

  @Property({ type: "timestamptz" })
  createdAt: Date = new Date();
}
