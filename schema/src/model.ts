/**
 * A model's declared interface. Inputs and outputs are named tensors; a dimension of -1 is
 * dynamic (the batch dimension, usually). Prices are integers in the NEURO token's smallest
 * unit (9 decimals), carried as decimal strings across process and JSON boundaries.
 */
export type TensorDType = "float32" | "int64" | "int32";

export interface TensorSpec {
  name: string;
  dtype: TensorDType;
  shape: number[];
}

export interface ModelManifest {
  name: string;
  version: string;
  description: string;
  inputs: TensorSpec[];
  outputs: TensorSpec[];
  /** Price of one call, smallest units, decimal string. */
  pricePerCall: string;
  /** Resources one replica needs. */
  resources: { cpus: number; memoryMb: number; gpus: number };
}

/** Task input and output on the wire: tensor name -> nested array of numbers. */
export type TensorMap = Record<string, unknown>;
