export * from "./actor.js";
export * from "./deployment.js";
export * from "./model.js";
export * from "./node-token.js";
export * from "./proto.js";
export * from "./resources.js";
export * from "./task.js";
