/**
 * @neurogrid/cluster/reference: a model run in the caller's own process on the CPU, as a model
 * actor runs it (runtime/reference-model.ts). Its own entry so that importing the models entry
 * never loads onnxruntime's native binding.
 */
export { openReferenceModel, type ReferenceModel } from "./runtime/reference-model.js";
