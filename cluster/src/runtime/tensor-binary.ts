/**
 * Tensors in binary form, beside nested arrays (after Triton's binary tensor data extension):
 *   { "dims": [1, 256], "base64": "<the elements, row-major, little-endian, of the input's dtype>" }
 * A row of 256 float32 values is ~1.4 KB of base64 instead of ~5 KB of JSON numbers, and
 * decoding it is a copy, not a parse of every number. The same checks as for nested arrays
 * apply: the spec's rank and fixed dimensions, no empty dimension, the exact byte length, every
 * element finite (float32) or within range (int32 by construction; int64 within ±(2^53-1), as
 * nested arrays allow).
 */
import type { TensorDType, TensorSpec } from "@neurogrid/schema";

/** tensor.ts's FlatTensor and TensorParse, by shape (tensor.ts imports this file). */
type Data = Float32Array | Int32Array | BigInt64Array;
type TensorParse =
  | { ok: true; tensor: { dtype: TensorDType; dims: number[]; data: Data } }
  | { ok: false; message: string };

const BYTES = { float32: 4, int32: 4, int64: 8 } as const;

export interface BinaryTensor {
  dims: number[];
  base64: string;
}

export function isBinaryTensor(value: unknown): value is BinaryTensor {
  return (
    typeof value === "object" &&
    value !== null &&
    !Array.isArray(value) &&
    typeof (value as { base64?: unknown }).base64 === "string"
  );
}

export function tensorFromBinary(spec: TensorSpec, value: BinaryTensor, expected: string): TensorParse {
  const name = spec.name;
  const dims = value.dims;
  const keys = Object.keys(value).filter((k) => k !== "dims" && k !== "base64");
  if (keys.length > 0)
    return { ok: false, message: `${name}: unknown field ${keys[0]} (binary form: dims, base64)` };
  if (!Array.isArray(dims) || !dims.every((d) => Number.isInteger(d) && d >= 0)) {
    return { ok: false, message: `${name}: dims must be an array of whole numbers` };
  }
  const shapeMatches =
    dims.length === spec.shape.length && spec.shape.every((d, i) => d === -1 || d === dims[i]);
  if (!shapeMatches)
    return { ok: false, message: `${name}: expected shape ${expected}, got [${dims.join(",")}]` };
  if (dims.includes(0)) return { ok: false, message: `${name}: empty tensor (shape [${dims.join(",")}])` };
  const count = dims.reduce((a, b) => a * b, 1);
  const bytes = Buffer.from(value.base64, "base64");
  const want = count * BYTES[spec.dtype];
  if (bytes.length !== want) {
    return {
      ok: false,
      message: `${name}: base64 holds ${bytes.length} bytes, but ${spec.dtype} [${dims.join(",")}] is ${want}`,
    };
  }
  const data = decode(spec.dtype, bytes, count);
  const bad = firstBadElement(data);
  if (bad !== undefined) return { ok: false, message: `${name}[${bad.index}] (flat): ${bad.problem}` };
  return { ok: true, tensor: { dtype: spec.dtype, dims: [...dims], data } };
}

/** Copies into a fresh (aligned) typed array; the wire is little-endian, as is every host we run on. */
function decode(dtype: TensorSpec["dtype"], bytes: Buffer, count: number): Data {
  const data =
    dtype === "float32"
      ? new Float32Array(count)
      : dtype === "int32"
        ? new Int32Array(count)
        : new BigInt64Array(count);
  new Uint8Array(data.buffer).set(bytes);
  return data;
}

const SAFE = BigInt(Number.MAX_SAFE_INTEGER);

function firstBadElement(data: Data): { index: number; problem: string } | undefined {
  if (data instanceof Float32Array) {
    for (let i = 0; i < data.length; i++) {
      const v = data[i] as number;
      if (!Number.isFinite(v)) return { index: i, problem: `expected a finite number, got ${v}` };
    }
  } else if (data instanceof BigInt64Array) {
    for (let i = 0; i < data.length; i++) {
      const v = data[i] as bigint;
      if (v > SAFE || v < -SAFE)
        return { index: i, problem: `expected an int64 integer within ±(2^53-1), got ${v}` };
    }
  }
  return undefined;
}
