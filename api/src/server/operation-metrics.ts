import type { ApolloServerPlugin } from "@apollo/server";
import type { ApiMetrics } from "../observability/metrics.js";

/** Times every GraphQL operation over HTTP and counts it by type and outcome. */
export function operationMetrics(metrics: ApiMetrics): ApolloServerPlugin {
  return {
    async requestDidStart() {
      const started = performance.now();
      return {
        async willSendResponse({ operation, errors }) {
          const type = operation?.operation ?? "unknown";
          metrics.graphqlDuration.observe({ type }, (performance.now() - started) / 1000);
          metrics.graphqlOperations.inc({ type, outcome: errors?.length ? "error" : "ok" });
        },
      };
    },
  };
}
