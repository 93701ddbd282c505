import type { ApolloServerPlugin } from "@apollo/server";
import { type DocumentNode, GraphQLError, getOperationAST } from "graphql";
import { unsafeStringError } from "../protection/safe-strings.js";

/**
 * What every GraphQL request must pass once its document is parsed and validated, before it runs,
 * on both transports (an Apollo plugin over HTTP; the WebSocket server calls `operationErrors`
 * for each operation):
 *
 * - No string anywhere in the document's literals or the variables holds a NUL or a lone
 *   surrogate (protection/safe-strings.ts): BAD_USER_INPUT, HTTP 400.
 * - Over HTTP, no subscription: it needs a stream the HTTP transport does not give here. Without
 *   this, Apollo executed it as a query and failed inside ("Cannot return null for non-nullable
 *   field"), an INTERNAL_SERVER_ERROR; it is the client's mistake: BAD_REQUEST, HTTP 400, saying
 *   to use graphql-ws.
 */
const SUBSCRIPTION_OVER_HTTP =
  "subscriptions need the WebSocket transport: connect to ws(s)://<host>/graphql with the graphql-transport-ws protocol (graphql-ws)";

export function operationErrors(
  document: DocumentNode,
  operationName: string | null | undefined,
  variables: unknown,
  transport: "http" | "ws",
): GraphQLError | undefined {
  const unsafe = unsafeStringError(document, variables);
  if (unsafe) return unsafe;
  if (transport === "http" && getOperationAST(document, operationName)?.operation === "subscription") {
    return new GraphQLError(SUBSCRIPTION_OVER_HTTP, {
      extensions: { code: "BAD_REQUEST", http: { status: 400 } },
    });
  }
  return undefined;
}

/** The Apollo plugin: refuses the request before execution with the error's code and status. */
export function graphqlEdge<Context extends object>(): ApolloServerPlugin<Context> {
  return {
    async requestDidStart() {
      return {
        async didResolveOperation({ document, request }) {
          const error = operationErrors(document, request.operationName, request.variables, "http");
          if (error) throw error;
        },
      };
    },
  };
}
