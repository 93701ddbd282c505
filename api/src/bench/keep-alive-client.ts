import { Agent, request } from "node:http";
import type { GraphQLResponse } from "../testing/graphql-clients.js";

/**
 * The benches' load generator: GraphQL over HTTP/1.1 POSTs on keep-alive connections
 * (node:http with one Agent), as a client library with a connection pool sends them.
 *
 * Why not fetch: the bench runs its clients on the machine it measures, and undici's fetch
 * spends about half a millisecond of CPU per request (streams, Headers, Response objects) —
 * a quarter of a two-core machine at the single-submit rate, taken from the api it measures.
 * A real client runs elsewhere; this one costs a fraction of that, so the figure is the api's.
 */
export class KeepAliveClient {
  readonly #agent: Agent;
  readonly #url: URL;
  readonly #auth: string;

  constructor(url: string, apiKey: string, connections: number) {
    this.#url = new URL(url);
    this.#auth = `Bearer ${apiKey}`;
    this.#agent = new Agent({ keepAlive: true, maxSockets: connections });
  }

  post<T>(query: string, variables: Record<string, unknown>): Promise<GraphQLResponse<T>> {
    const body = JSON.stringify({ query, variables });
    return new Promise((resolve, reject) => {
      const req = request(
        this.#url,
        {
          method: "POST",
          agent: this.#agent,
          headers: {
            "content-type": "application/json",
            "content-length": Buffer.byteLength(body),
            authorization: this.#auth,
          },
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on("data", (c: Buffer) => chunks.push(c));
          res.on("end", () => {
            try {
              resolve(JSON.parse(Buffer.concat(chunks).toString("utf8")) as GraphQLResponse<T>);
            } catch (err) {
              reject(new Error(`HTTP ${res.statusCode}: not JSON (${String(err)})`));
            }
          });
          res.on("error", reject);
        },
      );
      req.on("error", reject);
      req.end(body);
    });
  }

  close(): void {
    this.#agent.destroy();
  }
}
