/**
 * Choosing where a model runs. Explicit, and never pretending: onnxruntime-node does not fall
 * back on its own (a session asked for ["cuda","cpu"] without a loadable CUDA provider throws),
 * so the actor decides up front, creates its session with exactly one provider, and reports the
 * choice and the reason with every result.
 *
 * The rule, walking the preference list in order (default ["cuda","webgpu","cpu"]):
 *   cuda    is taken only if this actor was assigned a GPU (ctx.gpuIds or CUDA_VISIBLE_DEVICES)
 *           AND the probe proves the CUDA provider loads (a real session on a tiny graph);
 *   webgpu  likewise: a GPU assigned AND the probe proves onnxruntime-node's bundled WebGPU
 *           provider (Dawn over Vulkan) finds an adapter and runs a tiny graph. It needs no CUDA
 *           libraries, only the GPU driver's Vulkan ICD and the Vulkan loader (libvulkan.so.1);
 *   cpu     is always usable.
 * If nothing in the list is usable the actor fails to start (INTERNAL), naming each refusal.
 *
 * The decision is a function of its inputs plus an injected probe, so it is unit-tested with
 * fake probes; the real probe lives in execution-provider-probe.ts.
 */
import type { ExecutionProvider } from "@neurogrid/schema";
import type { InferenceSession } from "onnxruntime-node";
import { ClusterError } from "../errors.js";

/** The providers a model actor can be asked for. */
export type ModelExecutionProvider = Extract<ExecutionProvider, "cuda" | "webgpu" | "cpu">;

/** The GPU providers, in the order tried by default. */
export type GpuExecutionProvider = Exclude<ModelExecutionProvider, "cpu">;

export const DEFAULT_PROVIDER_PREFERENCE: readonly ModelExecutionProvider[] = ["cuda", "webgpu", "cpu"];

export interface GpuAssignment {
  gpuIds: readonly number[];
  /** As the actor process sees it; "" when no GPU was assigned. */
  cudaVisibleDevices: string;
}

export type ProbeResult = { ok: true } | { ok: false; reason: string };

export interface ProviderProbe {
  /** Whether a CUDA session can really be created in this process. */
  probeCuda(): Promise<ProbeResult>;
  /** Whether a WebGPU session can really be created and run in this process. */
  probeWebgpu(): Promise<ProbeResult>;
}

const PROVIDER_LABEL: Record<GpuExecutionProvider, string> = {
  cuda: "the CUDA execution provider",
  webgpu: "the WebGPU execution provider",
};

export interface ProviderChoice {
  provider: ModelExecutionProvider;
  /** Why this provider, and why not the ones before it in the preference list. */
  reason: string;
}

export async function chooseExecutionProvider(
  assignment: GpuAssignment,
  preference: readonly ModelExecutionProvider[],
  probe: ProviderProbe,
): Promise<ProviderChoice> {
  const refusals: string[] = [];
  const gpus = describeGpus(assignment);
  for (const provider of preference) {
    if (provider === "cpu") {
      const why = refusals.length > 0 ? `not ${refusals.join("; not ")}` : "first in the preference list";
      return { provider, reason: `cpu: ${why}` };
    }
    if (gpus === undefined) {
      refusals.push(`${provider}: no GPU assigned to this actor`);
      continue;
    }
    const probed = await (provider === "cuda" ? probe.probeCuda() : probe.probeWebgpu());
    const label = PROVIDER_LABEL[provider];
    if (probed.ok) {
      return { provider, reason: `${provider}: ${gpus} assigned and ${label} loaded` };
    }
    refusals.push(`${provider}: ${gpus} assigned but ${label} is not usable (${probed.reason})`);
  }
  throw new ClusterError(
    "INTERNAL",
    `no usable execution provider in [${preference.join(",")}]: ${refusals.join("; ") || "empty preference list"}`,
  );
}

/** "GPU 0,1 (CUDA_VISIBLE_DEVICES=0,1)", or undefined when no GPU was assigned. */
export function describeGpus(assignment: GpuAssignment): string | undefined {
  const visible = assignment.cudaVisibleDevices.trim();
  const visibleAssigned = visible !== "" && visible !== "-1" && visible !== "NoDevFiles";
  if (assignment.gpuIds.length === 0 && !visibleAssigned) return undefined;
  const ids = assignment.gpuIds.length > 0 ? assignment.gpuIds.join(",") : visible;
  return `GPU ${ids} (CUDA_VISIBLE_DEVICES=${visible === "" ? "unset" : visible})`;
}

export interface ThreadOptions {
  /** Threads inside one operator. Default 1: onnxruntime's default oversubscribes small machines. */
  intraOpNumThreads?: number;
}

const DEFAULT_INTRA_OP_THREADS = 1;

/** Session options for exactly one provider; thread counts always explicit. */
export function sessionOptionsFor(
  provider: ModelExecutionProvider,
  threads: ThreadOptions = {},
): InferenceSession.SessionOptions {
  return {
    executionProviders: [providerOption(provider)],
    intraOpNumThreads: threads.intraOpNumThreads ?? DEFAULT_INTRA_OP_THREADS,
    interOpNumThreads: 1,
    executionMode: "sequential",
    graphOptimizationLevel: "all",
  };
}

function providerOption(provider: ModelExecutionProvider): InferenceSession.ExecutionProviderConfig {
  switch (provider) {
    case "cuda":
      // With CUDA_VISIBLE_DEVICES set to the assigned GPUs, device 0 is the first of them.
      return { name: "cuda", deviceId: 0 };
    case "webgpu":
      // Dawn picks the adapter (Vulkan does not read CUDA_VISIBLE_DEVICES): on a machine with
      // several GPUs, WebGPU actors share the first one. Operators the WebGPU provider lacks
      // run on onnxruntime's CPU provider inside the same session.
      return { name: "webgpu" };
    case "cpu":
      return { name: "cpu" };
  }
}
