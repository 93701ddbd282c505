import { createClient as createWsClient } from "graphql-ws";
import { Client, cacheExchange, fetchExchange, subscriptionExchange } from "urql";

/**
 * One urql client per access token: queries and mutations over HTTP POST /graphql, subscriptions
 * over graphql-ws on the same origin. A new token (a refresh) makes a new client, because the
 * server checks a socket's credential once, when it opens.
 */
export interface DashboardClient {
  client: Client;
  dispose(): void;
}

export function createDashboardClient(accessToken: string): DashboardClient {
  const authorization = `Bearer ${accessToken}`;
  const wsUrl = new URL("/graphql", window.location.href);
  wsUrl.protocol = wsUrl.protocol === "https:" ? "wss:" : "ws:";
  const ws = createWsClient({ url: wsUrl.toString(), connectionParams: { authorization }, lazy: true });
  const client = new Client({
    url: "/graphql",
    // POST only: Apollo refuses a GET without a preflight header (its CSRF prevention).
    preferGetMethod: false,
    fetchOptions: { headers: { authorization } },
    exchanges: [
      cacheExchange,
      fetchExchange,
      subscriptionExchange({
        forwardSubscription(request) {
          const input = { ...request, query: request.query ?? "" };
          return {
            subscribe(sink) {
              return { unsubscribe: ws.subscribe(input, sink) };
            },
          };
        },
      }),
    ],
  });
  return { client, dispose: () => void ws.dispose() };
}
