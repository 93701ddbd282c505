/**
 * One onnxruntime session for one graph of a model, and running it on flat tensors. The model
 * actor opens one per ONNX file it loads (the main graph and any companion graphs), each with
 * exactly the chosen execution provider and explicit thread counts (execution-provider.ts).
 */
import type { TensorDType } from "@neurogrid/schema";
import { InferenceSession, Tensor } from "onnxruntime-node";
import { ClusterError } from "../errors.js";
import { type ProviderChoice, sessionOptionsFor } from "./execution-provider.js";
import type { FlatTensor, TensorData } from "./tensor.js";

export async function openSession(
  bytes: Uint8Array,
  label: string,
  choice: ProviderChoice,
  intraOpNumThreads: number | undefined,
): Promise<InferenceSession> {
  try {
    return await InferenceSession.create(bytes, sessionOptionsFor(choice.provider, { intraOpNumThreads }));
  } catch (err) {
    throw new ClusterError("INTERNAL", `cannot load ${label} on ${choice.provider}: ${messageOf(err)}`, {
      cause: err,
    });
  }
}

/** Runs a session on flat tensors; returns the named outputs as flat tensors. */
export async function runSession(
  session: InferenceSession,
  feeds: Readonly<Record<string, FlatTensor>>,
  outputNames: readonly string[],
): Promise<Record<string, FlatTensor>> {
  const ortFeeds: Record<string, Tensor> = {};
  for (const [name, t] of Object.entries(feeds)) ortFeeds[name] = new Tensor(t.dtype, t.data, t.dims);
  let results: InferenceSession.ReturnType;
  try {
    results = await session.run(ortFeeds, [...outputNames]);
  } catch (err) {
    throw new ClusterError("INTERNAL", `inference failed: ${messageOf(err)}`, { cause: err });
  }
  const out: Record<string, FlatTensor> = {};
  for (const name of outputNames) {
    const value = results[name];
    if (!(value instanceof Tensor)) {
      throw new ClusterError("INTERNAL", `the model returned no tensor for output ${name}`);
    }
    out[name] = { dtype: dtypeOf(value.type), dims: [...value.dims], data: value.data as TensorData };
  }
  return out;
}

function dtypeOf(type: string): TensorDType {
  if (type === "int64" || type === "int32") return type;
  if (type === "float32") return "float32";
  throw new ClusterError(
    "INTERNAL",
    `the model returned a ${type} tensor; only float32, int32, int64 are served`,
  );
}

function messageOf(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
