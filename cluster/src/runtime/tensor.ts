/**
 * Tensors on the wire are nested arrays of numbers (TensorMap: name -> nested array); the runtime
 * wants a flat typed array plus dims. This file converts between the two and validates input
 * against a model's declared TensorSpecs. Pure functions, no onnxruntime: the api uses the same
 * validation to reject bad input at submit time, so a task that passes there passes here.
 *
 * What "valid" means for one declared input:
 *   present; a rectangular nested array (no ragged rows) whose rank equals the spec's; every
 *   fixed dimension equal to the spec's (-1 matches any size); no empty dimension; every element
 *   a finite number, an integer for int32/int64 (within int32 range, and within JS's safe
 *   integers for int64). Names the spec does not declare are rejected too.
 * Messages name the tensor and, for elements, the index: "features: expected shape [-1,16],
 * got [1,3]", "features[0][3]: expected a finite number, got NaN".
 * An input may also come in binary form, { dims, base64 } (tensor-binary.ts), checked the same
 * way.
 */
import type { TensorDType, TensorSpec } from "@neurogrid/schema";
import { isBinaryTensor, tensorFromBinary } from "./tensor-binary.js";

export type TensorData = Float32Array | Int32Array | BigInt64Array;

/** A tensor as the runtime takes it: row-major flat data and its dims. */
export interface FlatTensor {
  dtype: TensorDType;
  dims: number[];
  data: TensorData;
}

export type Validation = { ok: true } | { ok: false; message: string };
export type TensorParse = { ok: true; tensor: FlatTensor } | { ok: false; message: string };
export type TensorMapParse =
  | { ok: true; tensors: Record<string, FlatTensor> }
  | { ok: false; message: string };

export function formatShape(shape: readonly number[]): string {
  return `[${shape.join(",")}]`;
}

/** Validates a whole TensorMap against the declared inputs. */
export function validateTensorMap(specs: readonly TensorSpec[], map: unknown): Validation {
  const parsed = parseTensorMap(specs, map);
  return parsed.ok ? { ok: true } : parsed;
}

/** Validates and converts a whole TensorMap (every declared input, nothing else). */
export function parseTensorMap(specs: readonly TensorSpec[], map: unknown): TensorMapParse {
  if (typeof map !== "object" || map === null || Array.isArray(map)) {
    return {
      ok: false,
      message: "inputs must be an object mapping tensor names to nested arrays of numbers",
    };
  }
  const record = map as Record<string, unknown>;
  const declared = new Set(specs.map((s) => s.name));
  for (const name of Object.keys(record)) {
    if (!declared.has(name)) {
      return { ok: false, message: `${name}: unknown input; the model takes ${[...declared].join(", ")}` };
    }
  }
  const tensors: Record<string, FlatTensor> = {};
  for (const spec of specs) {
    if (!Object.hasOwn(record, spec.name) || record[spec.name] === undefined) {
      return {
        ok: false,
        message: `${spec.name}: missing input (expected ${spec.dtype} ${formatShape(spec.shape)})`,
      };
    }
    const parsed = tensorFromNested(spec, record[spec.name]);
    if (!parsed.ok) return parsed;
    tensors[spec.name] = parsed.tensor;
  }
  return { ok: true, tensors };
}

/** Validates one nested array against its spec and flattens it. */
export function tensorFromNested(spec: TensorSpec, value: unknown): TensorParse {
  const name = spec.name;
  const expected = formatShape(spec.shape);
  if (isBinaryTensor(value)) return tensorFromBinary(spec, value, expected);
  const dims = leadingShape(value);
  const shapeMatches =
    dims.length === spec.shape.length && spec.shape.every((d, i) => d === -1 || d === dims[i]);
  if (!shapeMatches) {
    return { ok: false, message: `${name}: expected shape ${expected}, got ${formatShape(dims)}` };
  }
  if (dims.includes(0)) {
    return { ok: false, message: `${name}: empty tensor (shape ${formatShape(dims)})` };
  }
  const data = allocate(
    spec.dtype,
    dims.reduce((a, b) => a * b, 1),
  );
  let offset = 0;
  // Walks the nested arrays in row-major order, checking every row's length and every element.
  const walk = (node: unknown, depth: number, path: string): string | undefined => {
    if (depth === dims.length) {
      const problem = elementProblem(spec.dtype, node);
      if (problem) return `${name}${path}: ${problem}`;
      write(data, offset++, node as number);
      return undefined;
    }
    if (!Array.isArray(node) || node.length !== dims[depth]) {
      const got = Array.isArray(node) ? `length ${node.length}` : describe(node);
      return `${name}${path}: ragged array, expected length ${dims[depth]} (shape ${formatShape(dims)}), got ${got}`;
    }
    for (let i = 0; i < node.length; i++) {
      const problem = walk(node[i], depth + 1, `${path}[${i}]`);
      if (problem) return problem;
    }
    return undefined;
  };
  const problem = walk(value, 0, "");
  if (problem) return { ok: false, message: problem };
  return { ok: true, tensor: { dtype: spec.dtype, dims, data } };
}

/** Row-major flat data -> nested arrays (int64 values become JS numbers). */
export function tensorToNested(data: ArrayLike<number | bigint>, dims: readonly number[]): unknown {
  let offset = 0;
  const build = (depth: number): unknown => {
    if (depth === dims.length) return Number(data[offset++]);
    const length = dims[depth] ?? 0;
    const out = new Array<unknown>(length);
    for (let i = 0; i < length; i++) out[i] = build(depth + 1);
    return out;
  };
  return build(0);
}

/** The shape a nested array claims, read along its first elements. */
function leadingShape(value: unknown): number[] {
  const dims: number[] = [];
  let node = value;
  while (Array.isArray(node)) {
    dims.push(node.length);
    if (node.length === 0) break;
    node = node[0];
  }
  return dims;
}

const INT32_MIN = -(2 ** 31);
const INT32_MAX = 2 ** 31 - 1;

function elementProblem(dtype: TensorDType, value: unknown): string | undefined {
  if (typeof value !== "number") return `expected a number, got ${describe(value)}`;
  if (!Number.isFinite(value)) return `expected a finite number, got ${value}`;
  if (dtype === "int32" && !(Number.isInteger(value) && value >= INT32_MIN && value <= INT32_MAX)) {
    return `expected an int32 integer, got ${value}`;
  }
  if (dtype === "int64" && !Number.isSafeInteger(value)) {
    return `expected an int64 integer within ±(2^53-1), got ${value}`;
  }
  return undefined;
}

function describe(value: unknown): string {
  if (Array.isArray(value)) return "an array";
  if (value === null) return "null";
  return typeof value;
}

function allocate(dtype: TensorDType, size: number): TensorData {
  switch (dtype) {
    case "float32":
      return new Float32Array(size);
    case "int32":
      return new Int32Array(size);
    case "int64":
      return new BigInt64Array(size);
  }
}

function write(data: TensorData, index: number, value: number): void {
  if (data instanceof BigInt64Array) data[index] = BigInt(value);
  else data[index] = value;
}
