/**
 * @neurogrid/cluster/cli: start a head or a worker in this process (the api's `neurogrid head`
 * and `neurogrid worker` commands), and parse their configuration from argv and env.
 */
export { type HeadConfig, parseHeadConfig } from "../config-head.js";
export { type FakeGpu, parseWorkerConfig, type WorkerConfig } from "../config-worker.js";
export {
  type HeadHandle,
  type RunHeadOptions,
  type RunWorkerOptions,
  runHead,
  runWorker,
  type WorkerHandle,
} from "./run.js";
