import type { EntityManager, MikroORM } from "@mikro-orm/postgresql";
import type { ApiConfig } from "../config.js";
import type { Account } from "../db/entities/index.js";
import type { TaskEventBus } from "../tasks/task-events.js";
import type { TaskQueue } from "../tasks/task-queue.js";

/** Long-lived services shared by every request of one api process. */
export interface Services {
  config: ApiConfig;
  orm: MikroORM;
  queue: TaskQueue;
  events: TaskEventBus;
}

/** What resolvers get per request (HTTP) or per subscription (WebSocket). */
export interface ApiContext {
  requestId: string;
  services: Services;
  em: EntityManager;
  /** The caller, when a valid API key was sent. */
  account: Account | null;
  /** Why there is no account although a key was sent (e.g. "invalid API key"). */
  authError?: string;
}
