import { createClient } from "graphql-ws";
import WebSocket from "ws";
import { type GraphQLResponse, graphqlRequest } from "../cli/graphql-request.js";

/** A real GraphQL client over HTTP, and a real graphql-ws client, for tests. */
export { type GraphQLResponse, graphqlRequest };

export function errorCode(res: GraphQLResponse<unknown>): string | undefined {
  return res.errors?.[0]?.extensions?.code;
}

/** Subscribes and collects every `next` payload (each also to `onNext`) until the server completes the operation. */
export function collectSubscription<T>(
  url: string,
  connectionParams: Record<string, string>,
  query: string,
  variables: Record<string, unknown>,
  timeoutMs = 30_000,
  onNext?: (value: T) => void,
): Promise<{ events: T[]; errors: unknown[] }> {
  const client = createClient({
    url: url.replace(/^http/, "ws"),
    webSocketImpl: WebSocket,
    connectionParams,
    retryAttempts: 0,
    lazy: true,
  });
  const events: T[] = [];
  const errors: unknown[] = [];
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      void client.dispose();
      reject(
        new Error(`subscription did not complete within ${timeoutMs} ms; got ${JSON.stringify(events)}`),
      );
    }, timeoutMs);
    const finish = () => {
      clearTimeout(timer);
      void client.dispose();
      resolve({ events, errors });
    };
    client.subscribe<T>(
      { query, variables },
      {
        next: (value) => {
          if (value.errors) errors.push(...value.errors);
          if (value.data) {
            events.push(value.data as T);
            onNext?.(value.data as T);
          }
        },
        error: (err) => {
          errors.push(err);
          finish();
        },
        complete: finish,
      },
    );
  });
}
