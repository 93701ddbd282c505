import type { DeploymentCallOptions, ReplicaLease } from "@neurogrid/cluster";
import type { ActorInfo } from "@neurogrid/schema";

/**
 * The reasons an attempt's abort signal gives (made once: an abort without a reason builds a
 * DOMException, with its stack, for every task).
 */
const ATTEMPT_ENDED = new Error("the attempt has ended");
const ATTEMPT_ABORTED = new Error("the attempt was aborted");

/** What a start records of the replica an attempt runs on: its node and actor incarnation. */
export function runningOn(replica: ActorInfo): { nodeId: string; actorId: string; epoch: number } {
  return { nodeId: replica.nodeId, actorId: replica.actorId, epoch: replica.epoch ?? 0 };
}

/**
 * One attempt's switches: its abort (registered at once, so a cancellation heard before the
 * start is kept), its calls' options, and the replica that served it. end(): nothing the attempt
 * sent outlives it — above all, an early call whose start found the task final is aborted and
 * its answer dropped (a call that ended: no-op). A call that the deployment handle moves to
 * another actor incarnation is recorded first (`moved`, before the call is sent there): the
 * capture is fenced to the incarnation the task records (ledger/settle-statement.ts).
 */
export class AttemptScope {
  readonly #abortController = new AbortController();
  #served: ActorInfo | undefined;
  readonly #timeoutMs: number;
  readonly #registry: Map<string, AttemptScope>;
  readonly #moved: ((replica: ActorInfo) => Promise<unknown>) | undefined;

  constructor(
    readonly taskId: string,
    timeoutMs: number,
    registry: Map<string, AttemptScope>,
    outer?: AbortSignal,
    moved?: (replica: ActorInfo) => Promise<unknown>,
  ) {
    this.#timeoutMs = timeoutMs;
    this.#registry = registry;
    this.#moved = moved;
    registry.set(taskId, this);
    outer?.addEventListener("abort", () => this.abort(), { once: true });
    if (outer?.aborted) this.abort();
  }

  get signal(): AbortSignal {
    return this.#abortController.signal;
  }

  callOptions(lease: ReplicaLease): DeploymentCallOptions {
    return {
      lease,
      timeoutMs: this.#timeoutMs,
      signal: this.#abortController.signal,
      traceId: this.taskId,
      onReplica: async (replica: ActorInfo) => {
        const was = this.#served ?? lease.replica;
        this.#served = replica;
        if (replica.actorId !== was.actorId || (replica.epoch ?? 0) !== (was.epoch ?? 0))
          await this.#moved?.(replica);
      },
    };
  }

  /** The replica that served the call last (a retry inside the handle may move it), if any. */
  servedBy(fallback: ActorInfo): ActorInfo {
    return this.#served ?? fallback;
  }

  abort(): void {
    this.#abortController.abort(ATTEMPT_ABORTED);
  }

  end(): void {
    this.#abortController.abort(ATTEMPT_ENDED);
    if (this.#registry.get(this.taskId) === this) this.#registry.delete(this.taskId);
  }
}
