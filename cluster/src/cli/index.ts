/**
 * @neurogrid/cluster/cli: start a head or a worker in this process (the api's `neurogrid head`
 * and `neurogrid worker` commands), and parse their configuration from argv and env.
 */
export { type HeadConfig, parseHeadConfig } from "../config-head.js";
export {
  type FakeGpu,
  parseWorkerCheckConfig,
  parseWorkerConfig,
  type WorkerCheckConfig,
  type WorkerConfig,
} from "../config-worker.js";
export { certsInit, certsIssue, DEFAULT_MEMBER_VALIDITY_DAYS, type IssueOptions } from "./certs.js";
export {
  checkRequirements,
  formatRequirements,
  type RequirementCheck,
  type RequirementsDeps,
  type RequirementsReport,
} from "./check-requirements.js";
export {
  type HeadHandle,
  type RunHeadOptions,
  type RunWorkerOptions,
  runHead,
  runWorker,
  type WorkerHandle,
} from "./run.js";
export { isWorkerQuery, runWorkerQuery, type WorkerQueryIo } from "./worker-query.js";
export {
  formatWorkerStatus,
  type WorkerStatus,
  type WorkerStatusOptions,
  workerStatus,
} from "./worker-status.js";
