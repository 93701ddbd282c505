/**
 * The real provider probe: asks onnxruntime-node whether it knows the backend at all, then
 * proves it by creating a session with only that provider on a one-node graph and running it
 * once (for CUDA the provider's shared library and a CUDA device must be present; for WebGPU,
 * Dawn must find a Vulkan adapter). Each result is memoized per probe. A failed attempt makes
 * onnxruntime log the loader error to stderr; that line is expected.
 */
import { InferenceSession, listSupportedBackends, Tensor } from "onnxruntime-node";
import { encodeModel, node } from "../models/onnx-builder.js";
import {
  type GpuExecutionProvider,
  type ProbeResult,
  type ProviderProbe,
  sessionOptionsFor,
} from "./execution-provider.js";

export function createOnnxruntimeProbe(): ProviderProbe {
  const probed = new Map<GpuExecutionProvider, Promise<ProbeResult>>();
  const once = (provider: GpuExecutionProvider) => {
    let result = probed.get(provider);
    if (result === undefined) {
      result = probeOnce(provider);
      probed.set(provider, result);
    }
    return result;
  };
  return { probeCuda: () => once("cuda"), probeWebgpu: () => once("webgpu") };
}

const BACKEND_NAME: Record<GpuExecutionProvider, string> = { cuda: "CUDA", webgpu: "WebGPU" };

async function probeOnce(provider: GpuExecutionProvider): Promise<ProbeResult> {
  const label = BACKEND_NAME[provider];
  if (!listSupportedBackends().some((b) => b.name === provider)) {
    return { ok: false, reason: `this onnxruntime-node build has no ${label} backend` };
  }
  try {
    const session = await InferenceSession.create(probeGraph(), sessionOptionsFor(provider));
    try {
      const { y } = await session.run({ x: new Tensor("float32", new Float32Array([-2]), [1]) });
      if (y?.data[0] !== 0) throw new Error(`Relu(-2) gave ${String(y?.data[0])}, not 0`);
    } finally {
      await session.release();
    }
    return { ok: true };
  } catch (err) {
    // onnxruntime prefixes its source location ("/onnxruntime_src/...cc:136 ... was false. ").
    const message = (err instanceof Error ? err.message : String(err))
      .split("\n")[0]
      ?.replace(/^\/onnxruntime_src\/\S+ .* was false\. /, "")
      .trim();
    return { ok: false, reason: `creating a ${label} session failed: ${message || "unknown error"}` };
  }
}

function probeGraph(): Uint8Array {
  return encodeModel({
    name: "provider-probe",
    docString: "y = relu(x); used only to check that an execution provider loads and runs",
    inputs: [{ name: "x", dtype: "float32", shape: [1] }],
    outputs: [{ name: "y", dtype: "float32", shape: [1] }],
    initializers: [],
    nodes: [node("Relu", ["x"], ["y"])],
  });
}
