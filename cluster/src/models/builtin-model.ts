/**
 * What a builtin model is (builtin-models.ts lists them): its manifest, where its bytes come
 * from, the files that go with it, and its own methods. A type of its own, so the models'
 * files can describe themselves without importing the list that imports them.
 */
import type { ModelManifest } from "@neurogrid/schema";
import type { ModelProgram } from "./model-program.js";

export interface ModelArtifact {
  /** "onnx": a graph the actor opens a session for; "data": bytes its program reads. */
  kind: "onnx" | "data";
  /** File extension in the cache (".onnx", ".txt"). */
  extension: string;
  load(): Uint8Array | Promise<Uint8Array>;
  /** The sha256 the loaded bytes must have (pretrained files); absent for built bytes. */
  sha256?: string;
}

export interface BuiltinModel {
  manifest: ModelManifest;
  /** The main ONNX bytes; deterministic. */
  build(): Uint8Array | Promise<Uint8Array>;
  /** The sha256 `build()` must yield, for bytes read from a package. */
  sha256?: string;
  companions?: Readonly<Record<string, ModelArtifact>>;
  program?: ModelProgram;
}
