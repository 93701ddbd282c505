import type { EntityManager, MikroORM } from "@mikro-orm/postgresql";
import type { ClusterClient } from "@neurogrid/cluster";
import type { Redis } from "ioredis";
import type { AlertService } from "../alerts/alert-service.js";
import type { ClusterWatch } from "../cluster-events/cluster-watch.js";
import type { ApiConfig } from "../config.js";
import type { Account } from "../db/entities/index.js";
import type { DepositEventBus } from "../deposits/deposit-events.js";
import type { DepositService } from "../deposits/deposit-service.js";
import type { Caller } from "../identity/caller.js";
import type { CredentialCache } from "../identity/credential-cache.js";
import type { JwtIssuer } from "../identity/jwt.js";
import type { LoginBackoff } from "../identity/login.js";
import type { PayoutEventBus } from "../payouts/payout-events.js";
import type { PayoutRunRequests } from "../payouts/payout-run-request.js";
import type { MoreTokens } from "../protection/admission.js";
import type { ProviderStakes } from "../stakes/provider-stakes.js";
import type { AnswerWait } from "../tasks/answer-wait.js";
import type { AttemptRunner } from "../tasks/attempt-runner.js";
import type { LocalStarter } from "../tasks/local-start.js";
import type { ModelDeployments } from "../tasks/model-deployments.js";
import type { PriorityCaps } from "../tasks/priority-caps.js";
import type { TaskEventBus } from "../tasks/task-events.js";
import type { TaskLeases } from "../tasks/task-leases.js";
import type { TaskQueue } from "../tasks/task-queue.js";
import type { TaskStore } from "../tasks/task-store.js";
import type { NodeTrust } from "../verification/node-trust.js";
import type { WithdrawalRunner } from "../withdrawals/withdrawal-runner.js";
import type { Loaders } from "./loaders.js";

/** Long-lived services shared by every request of one api process. */
export interface Services {
  config: ApiConfig;
  orm: MikroORM;
  queue: TaskQueue;
  events: TaskEventBus;
  jwt: JwtIssuer;
  /**
   * Credential look-ups cached in this process, and the access-token revocation list
   * (identity/credential-cache.ts): every edge resolves callers through it.
   */
  credentials: CredentialCache;
  /** Backoff of password logins per account and per address (identity/login.ts). */
  logins: LoginBackoff;
  /** A Redis connection for short commands (rate limits). */
  redis: Redis;
  payoutEvents: PayoutEventBus;
  /** The head's event stream, shared by this process's subscribers. */
  clusterWatch: ClusterWatch;
  /** GPU alerts from the head's telemetry. */
  alerts: AlertService;
  /** Present on an api with a chain configured: queues a run for the payouts process. */
  payoutRuns?: PayoutRunRequests;
  /** Present when Solana is configured: deposit requests and the deposit watcher. */
  deposits?: DepositService;
  depositEvents?: DepositEventBus;
  /** Present when Solana is configured: client withdrawals to their linked wallets. */
  withdrawals?: WithdrawalRunner;
  /** Present when Solana is configured: provider stakes and their cooling-off. */
  stakes?: ProviderStakes;
  cluster: ClusterClient;
  /** Each model version's deployment (handles report this process's load to the head). */
  deployments: ModelDeployments;
  /** The lifecycle's writes (tasks/task-store.ts): holds of every submit are grouped here. */
  store: TaskStore;
  /** This process's dispatcher's local starts, when it runs one (tasks/local-start.ts). */
  local?: LocalStarter;
  /** Submits of tasks started here wait this long for their answer (tasks/answer-wait.ts). */
  answers?: AnswerWait;
  /** How high each account may put its tasks (tasks/priority-caps.ts). */
  priorities: PriorityCaps;
  /** This process's attempt runner, when it runs tasks (the OpenAI endpoint's completions). */
  runner?: AttemptRunner;
  /** This process's known-answer checks of nodes: onboarding and canaries (verification/node-trust.ts). */
  trust?: NodeTrust;
  /** Leases of the tasks this process attempts outside the queue (tasks/task-leases.ts). */
  leases: TaskLeases;
  /** The process's log (failures nobody waits for, such as an announcement's). */
  log?: (msg: string) => void;
}

/** What resolvers get per request (HTTP) or per subscription operation (WebSocket). */
export interface ApiContext {
  requestId: string;
  services: Services;
  em: EntityManager;
  /** The caller, when a valid credential was sent. */
  caller: Caller | null;
  /** Shorthand for caller?.account (merged into `em` at its first read). */
  readonly account: Account | null;
  /** Why there is no caller although a credential was sent (e.g. "access token expired"). */
  authError?: string;
  /** The client's address (rate limits and login backoff key on it). */
  clientAddress?: string;
  /** Per-request DataLoaders (no N+1 queries). */
  loaders: Loaders;
  /**
   * Takes n more rate-limit tokens for this request's credential (HTTP requests; the request
   * itself took one), or throws RATE_LIMITED.
   */
  moreTokens?: MoreTokens;
}
