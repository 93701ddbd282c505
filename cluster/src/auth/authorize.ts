/**
 * The one gate in front of every cluster service: `authorizeService` wraps each handler of a
 * service implementation with the check its rule (rpc-rules.ts) demands, at server
 * construction, so no handler can forget it. A method of the .proto without a rule, or a rule
 * without a handler, makes the server refuse to start.
 *
 *   no identity the server accepts          -> UNAUTHENTICATED (the handler never runs)
 *   an identity the rule does not allow     -> PERMISSION_DENIED
 *   worker:request, another node's request  -> PERMISSION_DENIED (for a stream: the message that
 *                                              names another node ends the stream)
 *
 * With CallerCheck "open" the handlers run unchecked (caller.ts says when that is allowed).
 */
import type * as grpc from "@grpc/grpc-js";
import { ClusterError } from "../errors.js";
import { toServiceError } from "../grpc/status.js";
import { type CallerCheck, callerOf, type IncomingCall } from "./caller.js";
import { describeIdentity, type Identity } from "./identity.js";
import { type Allowed, RPC_RULES, type ServiceName } from "./rpc-rules.js";

export interface CallGuard {
  check: CallerCheck;
  /** The node this server runs on (worker:serving); absent on the head. */
  servingNode?: string | undefined;
}

type Handler = grpc.UntypedHandleCall;
type Verdict = { ok: true; nodeBound: boolean; identity: Identity } | { ok: false; error: ClusterError };

/**
 * The implementation with every handler behind its rule. Throws (INTERNAL) when the service's
 * .proto methods and the rules or the handlers do not match one to one.
 */
export function authorizeService(
  service: ServiceName,
  definition: grpc.ServiceDefinition,
  implementation: Record<string, Handler>,
  guard: CallGuard,
): grpc.UntypedServiceImplementation {
  const rules: Readonly<Record<string, readonly Allowed[]>> = RPC_RULES[service];
  const methods = Object.keys(definition);
  const mismatch = [
    ...methods.filter((m) => !Object.hasOwn(rules, m)).map((m) => `${service}.${m} has no rule`),
    ...methods.filter((m) => !Object.hasOwn(implementation, m)).map((m) => `${service}.${m} has no handler`),
    ...Object.keys(rules)
      .filter((m) => !methods.includes(m))
      .map((m) => `the rule for ${service}.${m} names no method of the .proto`),
  ];
  if (mismatch.length > 0)
    throw new ClusterError("INTERNAL", `cannot serve ${service}: ${mismatch.join("; ")}`);
  const wrapped: grpc.UntypedServiceImplementation = {};
  for (const method of methods) {
    const handler = implementation[method] as Handler;
    if (guard.check.kind === "open") {
      wrapped[method] = handler;
      continue;
    }
    const attrs = definition[method] as grpc.MethodDefinition<unknown, unknown>;
    const judge = judgeOf(`${service}.${method}`, rules[method] as readonly Allowed[], guard);
    wrapped[method] = guarded(`${service}.${method}`, attrs, handler, judge);
  }
  return wrapped;
}

type Judge = (call: IncomingCall) => Verdict;

function judgeOf(name: string, allowed: readonly Allowed[], guard: CallGuard): Judge {
  const check = guard.check as Exclude<CallerCheck, { kind: "open" }>;
  return (call) => {
    const identity = callerOf(check, call);
    if (identity === undefined)
      return {
        ok: false,
        error: new ClusterError("UNAUTHENTICATED", `${name}: no valid cluster credential`),
      };
    if (identity === "not accepted")
      return {
        ok: false,
        error: new ClusterError("PERMISSION_DENIED", `${name}: this credential is not accepted here`),
      };
    const refuse = () => ({
      ok: false as const,
      error: new ClusterError("PERMISSION_DENIED", `${name}: ${describeIdentity(identity)} may not call it`),
    });
    if (identity.role !== "worker")
      return allowed.includes(identity.role) ? { ok: true, nodeBound: false, identity } : refuse();
    if (allowed.includes("worker:request")) return { ok: true, nodeBound: true, identity };
    if (allowed.includes("worker:serving") && identity.nodeId === guard.servingNode)
      return { ok: true, nodeBound: false, identity };
    return refuse();
  };
}

/** A request that names another node than the calling worker's. */
function wrongNode(name: string, identity: Identity, request: unknown): ClusterError | undefined {
  const nodeId = (request as { nodeId?: unknown } | null)?.nodeId;
  if (identity.role === "worker" && nodeId === identity.nodeId) return undefined;
  return new ClusterError(
    "PERMISSION_DENIED",
    `${name}: ${describeIdentity(identity)} may not act for node ${JSON.stringify(nodeId)}`,
  );
}

function guarded(
  name: string,
  attrs: grpc.MethodDefinition<unknown, unknown>,
  handler: Handler,
  judge: Judge,
): Handler {
  if (!attrs.requestStream && !attrs.responseStream) {
    const unary = handler as grpc.handleUnaryCall<unknown, unknown>;
    return ((call, callback) => {
      const verdict = judge(call);
      const error = !verdict.ok
        ? verdict.error
        : verdict.nodeBound
          ? wrongNode(name, verdict.identity, call.request)
          : undefined;
      if (error !== undefined) callback(toServiceError(error));
      else unary(call, callback);
    }) satisfies grpc.handleUnaryCall<unknown, unknown>;
  }
  if (!attrs.requestStream) {
    const serverStream = handler as grpc.handleServerStreamingCall<unknown, unknown>;
    return ((call) => {
      const verdict = judge(call);
      const error = !verdict.ok
        ? verdict.error
        : verdict.nodeBound
          ? wrongNode(name, verdict.identity, call.request)
          : undefined;
      if (error !== undefined) call.emit("error", toServiceError(error));
      else serverStream(call);
    }) satisfies grpc.handleServerStreamingCall<unknown, unknown>;
  }
  // Client and bidi streams: the caller is judged at once, and each message when node-bound.
  return ((call: grpc.ServerDuplexStream<unknown, unknown>) => {
    const verdict = judge(call);
    if (!verdict.ok) {
      call.emit("error", toServiceError(verdict.error));
      return;
    }
    if (verdict.nodeBound) {
      const push = call.push.bind(call);
      call.push = (message: unknown) => {
        const error = message === null ? undefined : wrongNode(name, verdict.identity, message);
        if (error === undefined) return push(message);
        call.emit("error", toServiceError(error));
        return false;
      };
    }
    (handler as grpc.handleBidiStreamingCall<unknown, unknown>)(call);
  }) as Handler;
}
