/**
 * Joining calls' tensors into one batch and cutting the outputs back into each call's slice.
 * The batch dimension is the leading one: a model can batch only if every declared input and
 * output has a dynamic (-1) leading dimension. Pure functions over FlatTensor (row-major), so
 * concatenation is a copy of whole rows and a call's slice is a contiguous range.
 */
import type { ModelManifest } from "@neurogrid/schema";
import type { FlatTensor, TensorData } from "./tensor.js";

/** Whether the model's every input and output is batched along a dynamic leading dimension. */
export function batchesAlongFirstDim(manifest: ModelManifest): boolean {
  return [...manifest.inputs, ...manifest.outputs].every((s) => s.shape.length > 0 && s.shape[0] === -1);
}

export type RowsOf = { ok: true; rows: number; key: string } | { ok: false; message: string };

/**
 * A call's rows (its inputs' common leading dimension) and its batch key (the other
 * dimensions of every input: calls batch together only when these agree).
 */
export function rowsOf(tensors: Readonly<Record<string, FlatTensor>>): RowsOf {
  let rows: number | undefined;
  const key: string[] = [];
  for (const [name, t] of Object.entries(tensors)) {
    const first = t.dims[0] ?? 1;
    if (rows !== undefined && first !== rows) {
      return {
        ok: false,
        message: `${name}: leading (batch) dimension is ${first}, but another input has ${rows}; all inputs must have the same number of rows`,
      };
    }
    rows = first;
    key.push(`${name}:${t.dims.slice(1).join("x")}`);
  }
  return { ok: true, rows: rows ?? 1, key: key.join("|") };
}

/** Concatenates each input along its leading dimension, calls in order. */
export function concatRows(
  calls: readonly Readonly<Record<string, FlatTensor>>[],
): Record<string, FlatTensor> {
  const first = calls[0];
  if (!first) throw new Error("concatRows: no calls");
  if (calls.length === 1) return { ...first };
  const out: Record<string, FlatTensor> = {};
  for (const [name, t0] of Object.entries(first)) {
    const parts = calls.map((c) => c[name] as FlatTensor);
    const rows = parts.reduce((sum, p) => sum + (p.dims[0] ?? 1), 0);
    const length = parts.reduce((sum, p) => sum + p.data.length, 0);
    const data = allocateLike(t0.data, length);
    let offset = 0;
    for (const p of parts) {
      set(data, p.data, offset);
      offset += p.data.length;
    }
    out[name] = { dtype: t0.dtype, dims: [rows, ...t0.dims.slice(1)], data };
  }
  return out;
}

/** The rows [start, start+count) of a row-major tensor whose leading dimension is the batch. */
export function sliceRows<D extends ArrayLike<number | bigint> & { subarray(a: number, b: number): D }>(
  data: D,
  dims: readonly number[],
  start: number,
  count: number,
): { data: D; dims: number[] } {
  const rowSize = dims.slice(1).reduce((a, b) => a * b, 1);
  return { data: data.subarray(start * rowSize, (start + count) * rowSize), dims: [count, ...dims.slice(1)] };
}

function allocateLike(like: TensorData, length: number): TensorData {
  if (like instanceof Float32Array) return new Float32Array(length);
  if (like instanceof Int32Array) return new Int32Array(length);
  return new BigInt64Array(length);
}

function set(target: TensorData, source: TensorData, offset: number): void {
  (target as Float32Array).set(source as Float32Array, offset);
}
