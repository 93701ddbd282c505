import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { TensorSpec } from "@neurogrid/schema";
import {
  formatShape,
  parseTensorMap,
  tensorFromNested,
  tensorToNested,
  validateTensorMap,
} from "./tensor.js";

const features: TensorSpec = { name: "features", dtype: "float32", shape: [-1, 16] };
const row = (v = 0.5) => Array.from({ length: 16 }, () => v);

function rejects(specs: TensorSpec[], map: unknown, message: string | RegExp): void {
  const result = validateTensorMap(specs, map);
  assert.equal(result.ok, false, "expected a rejection");
  if (!result.ok) {
    if (typeof message === "string") assert.equal(result.message, message);
    else assert.match(result.message, message);
  }
}

describe("validateTensorMap", () => {
  it("accepts a well-formed batch", () => {
    assert.deepEqual(validateTensorMap([features], { features: [row(), row(1), row(-2)] }), { ok: true });
  });

  it("rejects a wrong shape with both shapes in the message", () => {
    rejects([features], { features: [[1, 2, 3]] }, "features: expected shape [-1,16], got [1,3]");
    rejects([features], { features: row() }, "features: expected shape [-1,16], got [16]");
    rejects([features], { features: [[row()]] }, "features: expected shape [-1,16], got [1,1,16]");
    rejects([features], { features: [] }, "features: expected shape [-1,16], got [0]");
    rejects([features], { features: 3 }, "features: expected shape [-1,16], got []");
  });

  it("rejects missing and unknown inputs, and non-object maps", () => {
    rejects([features], {}, "features: missing input (expected float32 [-1,16])");
    rejects([features], { features: [row()], extra: [1] }, "extra: unknown input; the model takes features");
    rejects([features], null, /inputs must be an object/);
    rejects([features], [[row()]], /inputs must be an object/);
  });

  it("rejects ragged arrays", () => {
    rejects(
      [features],
      { features: [row(), row().slice(1)] },
      "features[1]: ragged array, expected length 16 (shape [2,16]), got length 15",
    );
    rejects(
      [features],
      { features: [row(), 7] },
      /features\[1\]: ragged array, expected length 16 .* got number/,
    );
    rejects(
      [features],
      { features: [row(), [...row().slice(1), [1]]] },
      "features[1][15]: expected a number, got an array",
    );
  });

  it("rejects non-finite and non-numeric elements", () => {
    const withNaN = [row(), row()];
    withNaN[1]?.splice(3, 1, Number.NaN);
    rejects([features], { features: withNaN }, "features[1][3]: expected a finite number, got NaN");
    rejects(
      [features],
      { features: [[...row().slice(1), Number.POSITIVE_INFINITY]] },
      "features[0][15]: expected a finite number, got Infinity",
    );
    rejects(
      [features],
      { features: [[...row().slice(1), "1"]] },
      "features[0][15]: expected a number, got string",
    );
    rejects(
      [features],
      { features: [[...row().slice(1), null]] },
      "features[0][15]: expected a number, got null",
    );
  });

  it("checks integer dtypes", () => {
    const ids: TensorSpec = { name: "ids", dtype: "int64", shape: [-1] };
    const mask: TensorSpec = { name: "mask", dtype: "int32", shape: [2] };
    assert.deepEqual(validateTensorMap([ids, mask], { ids: [1, 2, 3], mask: [0, 1] }), { ok: true });
    rejects(
      [ids, mask],
      { ids: [1.5], mask: [0, 1] },
      "ids[0]: expected an int64 integer within ±(2^53-1), got 1.5",
    );
    rejects([ids, mask], { ids: [2 ** 60], mask: [0, 1] }, /ids\[0\]: expected an int64 integer/);
    rejects(
      [ids, mask],
      { ids: [1], mask: [0, 2 ** 31] },
      "mask[1]: expected an int32 integer, got 2147483648",
    );
    rejects([ids, mask], { ids: [1], mask: [0, 1, 1] }, "mask: expected shape [2], got [3]");
  });

  it("rejects empty dynamic dimensions", () => {
    const spec: TensorSpec = { name: "x", dtype: "float32", shape: [2, -1] };
    rejects([spec], { x: [[], []] }, "x: empty tensor (shape [2,0])");
  });

  it("accepts scalars declared with shape []", () => {
    const scalar: TensorSpec = { name: "t", dtype: "float32", shape: [] };
    assert.deepEqual(validateTensorMap([scalar], { t: 0.7 }), { ok: true });
    rejects([scalar], { t: [0.7] }, "t: expected shape [], got [1]");
  });
});

describe("tensor conversion", () => {
  it("flattens row-major into the dtype's typed array", () => {
    const parsed = tensorFromNested({ name: "x", dtype: "float32", shape: [-1, 3] }, [
      [1, 2, 3],
      [4, 5, 6],
    ]);
    assert.ok(parsed.ok);
    assert.deepEqual(parsed.tensor.dims, [2, 3]);
    assert.ok(parsed.tensor.data instanceof Float32Array);
    assert.deepEqual(Array.from(parsed.tensor.data), [1, 2, 3, 4, 5, 6]);

    const ints = parseTensorMap([{ name: "i", dtype: "int64", shape: [2] }], { i: [7, -8] });
    assert.ok(ints.ok);
    assert.ok(ints.tensors.i?.data instanceof BigInt64Array);
    assert.deepEqual(Array.from(ints.tensors.i.data), [7n, -8n]);
    const int32 = tensorFromNested({ name: "m", dtype: "int32", shape: [1] }, [5]);
    assert.ok(int32.ok && int32.tensor.data instanceof Int32Array);
  });

  it("rebuilds nested arrays from flat data and dims (round trip)", () => {
    assert.deepEqual(tensorToNested(new Float32Array([1, 2, 3, 4, 5, 6]), [2, 3]), [
      [1, 2, 3],
      [4, 5, 6],
    ]);
    assert.deepEqual(tensorToNested(new BigInt64Array([1n, 2n]), [2, 1]), [[1], [2]]);
    assert.equal(tensorToNested(new Float32Array([0.5]), []), 0.5);
    const nested = [
      [
        [1, 2],
        [3, 4],
      ],
      [
        [5, 6],
        [7, 8],
      ],
    ];
    const parsed = tensorFromNested({ name: "x", dtype: "float32", shape: [-1, 2, 2] }, nested);
    assert.ok(parsed.ok);
    assert.deepEqual(tensorToNested(parsed.tensor.data, parsed.tensor.dims), nested);
  });

  it("formats shapes compactly", () => {
    assert.equal(formatShape([-1, 16]), "[-1,16]");
    assert.equal(formatShape([]), "[]");
  });
});

describe("binary tensors ({ dims, base64 })", () => {
  const spec = { name: "x", dtype: "float32" as const, shape: [-1, 3] };
  const b64 = (values: number[], Kind: Float32ArrayConstructor | Int32ArrayConstructor = Float32Array) =>
    Buffer.from(new Kind(values).buffer).toString("base64");

  it("parse to the same tensor as the nested arrays they encode", () => {
    const nested = tensorFromNested(spec, [
      [1, 2.5, -3],
      [4, 5, 6],
    ]);
    const binary = tensorFromNested(spec, { dims: [2, 3], base64: b64([1, 2.5, -3, 4, 5, 6]) });
    assert.ok(nested.ok && binary.ok);
    assert.deepEqual(binary.tensor, nested.tensor);
  });

  it("are refused with the tensor's name when bytes, shape or values are wrong", () => {
    const bad = (value: unknown, pattern: RegExp) => {
      const parsed = tensorFromNested(spec, value);
      assert.equal(parsed.ok, false);
      assert.match(parsed.ok ? "" : parsed.message, pattern);
    };
    bad({ dims: [2, 3], base64: b64([1, 2, 3]) }, /^x: base64 holds 12 bytes, but float32 \[2,3\] is 24/);
    bad({ dims: [1, 4], base64: b64([1, 2, 3, 4]) }, /^x: expected shape \[-1,3\], got \[1,4\]/);
    bad(
      { dims: [1, 3], base64: b64([1, Number.NaN, 3]) },
      /^x\[1\] \(flat\): expected a finite number, got NaN/,
    );
    bad({ dims: [0, 3], base64: "" }, /empty tensor/);
    bad({ dims: [1, 3], base64: b64([1, 2, 3]), extra: 1 }, /unknown field extra/);
  });

  it("work for int64 inputs, within JS's safe integers", () => {
    const ints = { name: "tokens", dtype: "int64" as const, shape: [-1, 2] };
    const bytes = Buffer.from(BigInt64Array.of(7n, 2n ** 60n).buffer).toString("base64");
    const parsed = tensorFromNested(ints, { dims: [1, 2], base64: bytes });
    assert.equal(parsed.ok, false);
    const fine = tensorFromNested(ints, {
      dims: [1, 2],
      base64: Buffer.from(BigInt64Array.of(7n, 9n).buffer).toString("base64"),
    });
    assert.ok(fine.ok);
    assert.deepEqual([...(fine.tensor.data as BigInt64Array)], [7n, 9n]);
  });
});
