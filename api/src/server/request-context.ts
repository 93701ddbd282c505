import { randomUUID } from "node:crypto";
import type { EntityManager } from "@mikro-orm/postgresql";
import type { ApiContext, Services } from "../graphql/context.js";
import { createLoaders, type Loaders } from "../graphql/loaders.js";
import type { Caller } from "../identity/caller.js";
import type { MoreTokens } from "../protection/admission.js";
import type { ResolvedCaller } from "./auth-context.js";

/**
 * The context of one GraphQL operation (an HTTP request, or one graphql-ws operation).
 *
 * `account` is a getter of the class, so the caller's account is merged into `em` only when a
 * resolver reads it (identity/caller.ts). On the prototype, not the object: Apollo copies the
 * context's own properties for each operation, which would read an own getter.
 */
class RequestContext implements ApiContext {
  readonly requestId = randomUUID();
  readonly caller: Caller | null;
  readonly authError?: string;
  readonly loaders: Loaders;
  readonly clientAddress?: string;
  readonly moreTokens?: MoreTokens;

  constructor(
    readonly services: Services,
    readonly em: EntityManager,
    resolved: ResolvedCaller,
    extra: { clientAddress?: string; moreTokens?: MoreTokens },
  ) {
    this.caller = resolved.caller;
    if (resolved.authError !== undefined) this.authError = resolved.authError;
    this.loaders = createLoaders(em);
    if (extra.clientAddress !== undefined) this.clientAddress = extra.clientAddress;
    if (extra.moreTokens) this.moreTokens = extra.moreTokens;
  }

  get account() {
    return this.caller?.account ?? null;
  }
}

export function newContext(
  services: Services,
  em: EntityManager,
  resolved: ResolvedCaller,
  extra: { clientAddress?: string; moreTokens?: MoreTokens } = {},
): ApiContext {
  return new RequestContext(services, em, resolved, extra);
}
