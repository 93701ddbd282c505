import { randomUUID } from "node:crypto";
import type { EntityManager } from "@mikro-orm/postgresql";
import type { ApiContext, Services } from "../graphql/context.js";
import { createLoaders } from "../graphql/loaders.js";
import type { MoreTokens } from "../protection/admission.js";
import type { ResolvedCaller } from "./auth-context.js";

/** The context of one GraphQL operation (an HTTP request, or one graphql-ws operation). */
export function newContext(
  services: Services,
  em: EntityManager,
  resolved: ResolvedCaller,
  extra: { clientAddress?: string; moreTokens?: MoreTokens } = {},
): ApiContext {
  return {
    requestId: randomUUID(),
    services,
    em,
    caller: resolved.caller,
    account: resolved.caller?.account ?? null,
    authError: resolved.authError,
    loaders: createLoaders(em),
    clientAddress: extra.clientAddress,
    ...(extra.moreTokens ? { moreTokens: extra.moreTokens } : {}),
  };
}
