/**
 * The real provider probe: asks onnxruntime-node whether it knows a CUDA backend at all, then
 * proves it by creating a CUDA-only session on a one-node graph (the provider's shared library
 * and a CUDA device must both be present for that to succeed). The result is memoized per probe.
 * A failed attempt makes onnxruntime log the loader error to stderr; that line is expected.
 */
import { InferenceSession, listSupportedBackends } from "onnxruntime-node";
import { encodeModel, node } from "../models/onnx-builder.js";
import { type ProbeResult, type ProviderProbe, sessionOptionsFor } from "./execution-provider.js";

export function createOnnxruntimeProbe(): ProviderProbe {
  let cuda: Promise<ProbeResult> | undefined;
  return {
    probeCuda() {
      cuda ??= probeCudaOnce();
      return cuda;
    },
  };
}

async function probeCudaOnce(): Promise<ProbeResult> {
  if (!listSupportedBackends().some((b) => b.name === "cuda")) {
    return { ok: false, reason: "this onnxruntime-node build has no CUDA backend" };
  }
  try {
    const session = await InferenceSession.create(probeGraph(), sessionOptionsFor("cuda"));
    await session.release();
    return { ok: true };
  } catch (err) {
    const message = (err instanceof Error ? err.message : String(err)).split("\n")[0]?.trim();
    return { ok: false, reason: `creating a CUDA session failed: ${message || "unknown error"}` };
  }
}

function probeGraph(): Uint8Array {
  return encodeModel({
    name: "provider-probe",
    docString: "y = x; used only to check that an execution provider loads",
    inputs: [{ name: "x", dtype: "float32", shape: [1] }],
    outputs: [{ name: "y", dtype: "float32", shape: [1] }],
    initializers: [],
    nodes: [node("Identity", ["x"], ["y"])],
  });
}
