/**
 * The driver's server streams from the head: WatchActors (lifecycle events as an async
 * iterable) and DriverSession (the session that owns owned actors; open while the stream is,
 * and opened again by the driver when it breaks, e.g. because the head restarted).
 */
import * as grpc from "@grpc/grpc-js";
import type { ActorInfo, ActorState } from "@neurogrid/schema";
import { ClusterError } from "../errors.js";
import { actorInfoFromWire } from "../grpc/head-convert.js";
import type { HeadService } from "../grpc/proto.js";
import { fromServiceError } from "../grpc/status.js";
import type * as wire from "../grpc/wire.js";

/** One actor lifecycle transition, as the head published it. */
export interface ActorEvent {
  actor: ActorInfo;
  /** The state before; undefined for a new actor. */
  from: ActorState | undefined;
  cause: string;
  /** Head clock, ms since the epoch. */
  atMs: number;
}

export interface WatchActorsOptions {
  /** Only actors of this namespace; all by default. */
  namespace?: string;
  /** Aborting ends the iteration. */
  signal?: AbortSignal;
}

/**
 * A server stream's messages as an async iterable, until the caller stops iterating or aborts
 * (then it just ends) or the stream fails (an error, e.g. UNAVAILABLE when the head goes away).
 */
export async function* serverStream<Req, Res>(
  client: grpc.Client,
  method: grpc.MethodDefinition<Req, Res>,
  request: Req,
  signal: AbortSignal | undefined,
): AsyncGenerator<Res> {
  if (signal?.aborted) return;
  const call = client.makeServerStreamRequest(
    method.path,
    method.requestSerialize,
    method.responseDeserialize,
    request,
  );
  const onAbort = () => call.cancel();
  signal?.addEventListener("abort", onAbort, { once: true });
  try {
    yield* call as AsyncIterable<Res>;
  } catch (err) {
    if (signal?.aborted || (err as { code?: number }).code === grpc.status.CANCELLED) return;
    throw fromServiceError(err);
  } finally {
    signal?.removeEventListener("abort", onAbort);
    call.cancel();
  }
}

/** An actor event as the head sent it; undefined when it carries no actor. */
export function actorEventFromWire(event: wire.ActorEvent): ActorEvent | undefined {
  if (event.actor === null) return undefined;
  return {
    actor: actorInfoFromWire(event.actor),
    from: event.fromState === "ACTOR_STATE_UNSPECIFIED" ? undefined : event.fromState,
    cause: event.cause,
    atMs: event.atMs,
  };
}

/** Events from now on, until the caller stops iterating or aborts (or the head goes away: an error). */
export async function* watchActors(
  client: grpc.Client,
  head: HeadService,
  opts: WatchActorsOptions,
): AsyncGenerator<ActorEvent> {
  const request = { namespace: opts.namespace ?? "" };
  for await (const raw of serverStream(client, head.WatchActors, request, opts.signal)) {
    const event = actorEventFromWire(raw);
    if (event !== undefined) yield event;
  }
}

const REOPEN_AFTER_MS = 500;

/** A driver session kept open until close(): a broken stream is opened again. */
export class DriverSessionLink {
  readonly opened: Promise<void>;
  #call: grpc.ClientReadableStream<wire.DriverSessionEvent> | undefined;
  #closed = false;

  constructor(
    readonly client: () => grpc.Client,
    readonly head: HeadService,
    readonly sessionId: string,
    readonly timeoutMs: number,
  ) {
    this.opened = this.#open();
  }

  close(): void {
    this.#closed = true;
    this.#call?.cancel();
  }

  async #open(): Promise<void> {
    const call = await openDriverSession(this.client(), this.head, this.sessionId, this.timeoutMs);
    if (this.#closed) {
      call.cancel();
      return;
    }
    this.#call = call;
    const reopen = () => {
      if (this.#closed || this.#call !== call) return;
      this.#call = undefined;
      const retry = (): void => {
        if (this.#closed) return;
        this.#open().catch(() => setTimeout(retry, REOPEN_AFTER_MS));
      };
      setTimeout(retry, REOPEN_AFTER_MS);
    };
    call.on("error", reopen);
    call.on("end", reopen);
  }
}

/** Opens the session stream; resolves once the head has it open. Cancelling the call ends it. */
function openDriverSession(
  client: grpc.Client,
  head: HeadService,
  sessionId: string,
  timeoutMs: number,
): Promise<grpc.ClientReadableStream<wire.DriverSessionEvent>> {
  const method = head.DriverSession;
  const call = client.makeServerStreamRequest(
    method.path,
    method.requestSerialize,
    method.responseDeserialize,
    {
      sessionId,
    },
  );
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      call.cancel();
      reject(new ClusterError("DEADLINE_EXCEEDED", `driver session not opened within ${timeoutMs} ms`));
    }, timeoutMs);
    call.once("data", () => {
      clearTimeout(timer);
      resolve(call);
    });
    call.on("error", (err) => {
      clearTimeout(timer);
      reject(fromServiceError(err));
    });
  });
}
