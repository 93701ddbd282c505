/**
 * A thin layer over onnx-proto's generated protobuf classes, for writing ONNX graphs from
 * TypeScript. Everything here is deterministic: the same description encodes to the same bytes
 * (no timestamps, no random ids; initializers stored as little-endian raw data), so a model's
 * sha256 is stable across builds and machines.
 */
import type { TensorDType, TensorSpec } from "@neurogrid/schema";
import onnxProto from "onnx-proto";

const { onnx } = onnxProto;
type INodeProto = onnxProto.onnx.INodeProto;
type ITensorProto = onnxProto.onnx.ITensorProto;
type IValueInfoProto = onnxProto.onnx.IValueInfoProto;
type IAttributeProto = onnxProto.onnx.IAttributeProto;

/** IR version 7 goes with opset 13, the opset the builders here target. */
const ONNX_IR_VERSION = 7;
const ONNX_OPSET = 13;

const ELEM_TYPE: Record<TensorDType, number> = {
  float32: onnx.TensorProto.DataType.FLOAT,
  int32: onnx.TensorProto.DataType.INT32,
  int64: onnx.TensorProto.DataType.INT64,
};

/** A graph input or output; a dimension of -1 becomes a symbolic dimension named `symbol`. */
function valueInfo(spec: TensorSpec, symbol = "batch"): IValueInfoProto {
  return {
    name: spec.name,
    type: {
      tensorType: {
        elemType: ELEM_TYPE[spec.dtype],
        shape: { dim: spec.shape.map((d) => (d === -1 ? { dimParam: symbol } : { dimValue: d })) },
      },
    },
  };
}

/** A float32 initializer (constant weights), stored as little-endian raw bytes. */
export function floatInitializer(
  name: string,
  dims: readonly number[],
  values: ArrayLike<number>,
): ITensorProto {
  const count = dims.reduce((a, b) => a * b, 1);
  if (values.length !== count) {
    throw new Error(`initializer ${name}: ${values.length} values for dims [${dims.join(",")}]`);
  }
  const raw = new Uint8Array(values.length * 4);
  const view = new DataView(raw.buffer);
  for (let i = 0; i < values.length; i++) view.setFloat32(i * 4, values[i] as number, true);
  return { name, dims: [...dims], dataType: onnx.TensorProto.DataType.FLOAT, rawData: raw };
}

export type AttributeValue = number | { int: number } | number[];

/** An operator node. Attribute numbers are floats unless wrapped as `{ int }`. */
export function node(
  opType: string,
  inputs: readonly string[],
  outputs: readonly string[],
  attributes: Record<string, AttributeValue> = {},
): INodeProto {
  return {
    opType,
    name: `${opType}_${outputs[0] ?? ""}`,
    input: [...inputs],
    output: [...outputs],
    attribute: Object.entries(attributes).map(([name, value]) => attribute(name, value)),
  };
}

function attribute(name: string, value: AttributeValue): IAttributeProto {
  const types = onnx.AttributeProto.AttributeType;
  if (typeof value === "number") return { name, type: types.FLOAT, f: value };
  if (Array.isArray(value)) return { name, type: types.INTS, ints: value };
  return { name, type: types.INT, i: value.int };
}

export interface GraphDescription {
  name: string;
  docString: string;
  inputs: readonly TensorSpec[];
  outputs: readonly TensorSpec[];
  initializers: readonly ITensorProto[];
  nodes: readonly INodeProto[];
  /** key/value pairs stored in the model's metadata_props (e.g. the model's version). */
  metadata?: Readonly<Record<string, string>>;
}

/** Encodes a complete ONNX model (default domain, opset ONNX_OPSET). */
export function encodeModel(graph: GraphDescription): Uint8Array {
  const model = onnx.ModelProto.create({
    irVersion: ONNX_IR_VERSION,
    opsetImport: [{ domain: "", version: ONNX_OPSET }],
    producerName: "neurogrid",
    producerVersion: "1",
    docString: graph.docString,
    metadataProps: Object.entries(graph.metadata ?? {}).map(([key, value]) => ({ key, value })),
    graph: {
      name: graph.name,
      input: graph.inputs.map((spec) => valueInfo(spec)),
      output: graph.outputs.map((spec) => valueInfo(spec)),
      initializer: [...graph.initializers],
      node: [...graph.nodes],
    },
  });
  // protobufjs may hand back a slice of Node's shared Buffer pool: copy into an owned array.
  return new Uint8Array(onnx.ModelProto.encode(model).finish());
}
