/**
 * Choosing where a model runs. Explicit, and never pretending: onnxruntime-node does not fall
 * back on its own (a session asked for ["cuda","cpu"] without a loadable CUDA provider throws),
 * so the actor decides up front, creates its session with exactly one provider, and reports the
 * choice and the reason with every result.
 *
 * The rule, walking the preference list in order (default ["cuda","cpu"]):
 *   cuda  is taken only if this actor was assigned a GPU (ctx.gpuIds or CUDA_VISIBLE_DEVICES)
 *         AND the probe proves the CUDA provider loads (a real session on a tiny graph);
 *   cpu   is always usable.
 * If nothing in the list is usable the actor fails to start (INTERNAL), naming each refusal.
 *
 * The decision is a function of its inputs plus an injected probe, so it is unit-tested with
 * fake probes; the real probe lives in execution-provider-probe.ts.
 */
import type { ExecutionProvider } from "@neurogrid/schema";
import type { InferenceSession } from "onnxruntime-node";
import { ClusterError } from "../errors.js";

/** The providers a model actor can be asked for. */
export type ModelExecutionProvider = Extract<ExecutionProvider, "cuda" | "cpu">;

export const DEFAULT_PROVIDER_PREFERENCE: readonly ModelExecutionProvider[] = ["cuda", "cpu"];

export interface GpuAssignment {
  gpuIds: readonly number[];
  /** As the actor process sees it; "" when no GPU was assigned. */
  cudaVisibleDevices: string;
}

export type ProbeResult = { ok: true } | { ok: false; reason: string };

export interface ProviderProbe {
  /** Whether a CUDA session can really be created in this process. */
  probeCuda(): Promise<ProbeResult>;
}

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
      refusals.push("cuda: no GPU assigned to this actor");
      continue;
    }
    const probed = await probe.probeCuda();
    if (probed.ok) {
      return { provider, reason: `cuda: ${gpus} assigned and the CUDA execution provider loaded` };
    }
    refusals.push(`cuda: ${gpus} assigned but the CUDA execution provider is not usable (${probed.reason})`);
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

export const DEFAULT_INTRA_OP_THREADS = 1;

/** Session options for exactly one provider; thread counts always explicit. */
export function sessionOptionsFor(
  provider: ModelExecutionProvider,
  threads: ThreadOptions = {},
): InferenceSession.SessionOptions {
  return {
    // With CUDA_VISIBLE_DEVICES set to the assigned GPUs, device 0 is the first of them.
    executionProviders: [provider === "cuda" ? { name: "cuda", deviceId: 0 } : { name: "cpu" }],
    intraOpNumThreads: threads.intraOpNumThreads ?? DEFAULT_INTRA_OP_THREADS,
    interOpNumThreads: 1,
    executionMode: "sequential",
    graphOptimizationLevel: "all",
  };
}
