/**
 * Does a loaded model file agree with the manifest it is served under? Checked once when a
 * model actor starts, so a wrong file fails loudly at creation rather than on some later call.
 * Each declared tensor must exist in the graph with the same dtype and rank; a fixed dimension
 * in the manifest must be the same fixed dimension in the graph or a symbolic one (the manifest
 * may promise less than the graph accepts: Silero VAD's graph takes any number of samples, its
 * manifest 576), and a dynamic one (-1) must be symbolic in the graph. The comparison rule, if
 * declared, must name the manifest's own outputs.
 */
import type { ModelManifest, TensorSpec } from "@neurogrid/schema";
import { formatShape } from "../runtime/tensor.js";
import { comparisonProblem } from "./result-comparison.js";

/** What the runtime reports about one graph input or output (onnxruntime's ValueMetadata). */
export interface GraphValueInfo {
  name: string;
  isTensor: boolean;
  type?: string;
  shape?: readonly (number | string)[];
}

/** undefined when they agree, else a message naming every disagreement. */
export function manifestMismatch(
  manifest: ModelManifest,
  graph: { inputs: readonly GraphValueInfo[]; outputs: readonly GraphValueInfo[] },
): string | undefined {
  const problems = [
    ...manifest.inputs.flatMap((spec) => specProblems("input", spec, graph.inputs)),
    ...manifest.outputs.flatMap((spec) => specProblems("output", spec, graph.outputs)),
    ...[comparisonProblem(manifest)].filter((p) => p !== undefined),
  ];
  return problems.length > 0 ? problems.join("; ") : undefined;
}

function specProblems(kind: string, spec: TensorSpec, values: readonly GraphValueInfo[]): string[] {
  const value = values.find((v) => v.name === spec.name);
  if (!value)
    return [`${kind} ${spec.name} is not in the graph (it has ${values.map((v) => v.name).join(", ")})`];
  if (!value.isTensor) return [`${kind} ${spec.name} is not a tensor in the graph`];
  const problems: string[] = [];
  if (value.type !== undefined && value.type !== spec.dtype) {
    problems.push(`${kind} ${spec.name} is ${value.type} in the graph, ${spec.dtype} in the manifest`);
  }
  const shape = value.shape;
  if (shape !== undefined) {
    const agrees =
      shape.length === spec.shape.length &&
      spec.shape.every((d, i) => (d === -1 ? isSymbolic(shape[i]) : shape[i] === d || isSymbolic(shape[i])));
    if (!agrees) {
      const graphShape = `[${shape.map((d) => (typeof d === "number" ? d : "?")).join(",")}]`;
      problems.push(
        `${kind} ${spec.name} has shape ${graphShape} in the graph, ${formatShape(spec.shape)} in the manifest`,
      );
    }
  }
  return problems;
}

function isSymbolic(dim: number | string | undefined): boolean {
  return typeof dim === "string" || dim === -1;
}
