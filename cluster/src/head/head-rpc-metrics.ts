/**
 * neurogrid_head_rpc_duration_seconds{method,outcome}: how long the head takes to answer each
 * unary control-plane call (GetOrCreateActor includes placement and the worker's start),
 * outcome "ok" or the gRPC status name in lower case. Streams (heartbeats, watches) are not
 * timed: they last as long as their peers.
 */
import type * as grpc from "@grpc/grpc-js";
import { Histogram } from "prom-client";

const BUCKETS = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 120];

export function headRpcHistogram(): Histogram<"method" | "outcome"> {
  return new Histogram({
    name: "neurogrid_head_rpc_duration_seconds",
    help: "Time the head took to answer a unary control-plane call, by method and outcome",
    labelNames: ["method", "outcome"],
    buckets: BUCKETS,
    registers: [],
  });
}

type AnyUnary = (call: unknown, callback: grpc.sendUnaryData<unknown>) => void;

/** The same implementation, with every unary method of `service` timed into `histogram`. */
export function timeUnaryCalls<T extends Record<string, unknown>>(
  implementation: T,
  service: grpc.ServiceDefinition,
  histogram: Histogram<"method" | "outcome">,
): T {
  const out: Record<string, unknown> = { ...implementation };
  for (const [method, definition] of Object.entries(service)) {
    const handler = implementation[method];
    if (definition.requestStream || definition.responseStream || typeof handler !== "function") continue;
    const unary = handler as AnyUnary;
    out[method] = ((call: unknown, callback: grpc.sendUnaryData<unknown>) => {
      const end = histogram.startTimer({ method });
      unary(call, (err, value) => {
        end({ outcome: err ? statusName(err.code) : "ok" });
        callback(err, value);
      });
    }) satisfies AnyUnary;
  }
  return out as T;
}

const NAMES: Record<number, string> = {
  1: "cancelled",
  2: "unknown",
  3: "invalid_argument",
  4: "deadline_exceeded",
  5: "not_found",
  6: "already_exists",
  7: "permission_denied",
  8: "resource_exhausted",
  9: "failed_precondition",
  10: "aborted",
  11: "out_of_range",
  12: "unimplemented",
  13: "internal",
  14: "unavailable",
  15: "data_loss",
  16: "unauthenticated",
};

function statusName(code: number | undefined): string {
  return NAMES[code ?? 2] ?? "unknown";
}
