import { setMaxListeners } from "node:events";
import { setTimeout as sleep } from "node:timers/promises";
import type { ChaosClient } from "./chaos-accounts.js";

/**
 * Many concurrent clients submitting tasks over GraphQL HTTP, each task with its own
 * idempotency key, as a careful client would: a submission whose connection failed (the api was
 * killed, or is still starting) or whose answer is a transient error is sent again with the same
 * key until an answer comes, so a crash of the api can neither lose a task nor create two.
 * RATE_LIMITED is honoured (its delay); an error that no retry can fix (CONFLICT,
 * INSUFFICIENT_FUNDS, bad input) is recorded as a rejection, which the run counts as a failure.
 *
 * Submissions are paced (task i is not sent before start + i/ratePerS) so that they span the
 * whole run and the kills land while tasks flow. Task i belongs to client i mod #clients.
 */
export interface SubmitPlan {
  /** The api's URL now (read at every attempt). */
  url: () => string;
  clients: ChaosClient[];
  keys: string[];
  model: string;
  concurrency: number;
  ratePerS: number;
  /** Give up retrying at this time (ms since the epoch). */
  deadlineAt: number;
}

export interface SubmitOutcome {
  /** The task id the api answered for each key. */
  taskIds: Map<string, string>;
  /** Keys refused for good, with the error code. */
  rejected: Map<string, string>;
  /** Attempts whose connection failed, and transient errors, that were retried. */
  retries: number;
  /** The retried answers by error code (NO_ANSWER: the connection failed or timed out). */
  retriedCodes: Record<string, number>;
}

const SUBMIT = `mutation($input: SubmitTaskInput!) { submitTask(input: $input) { id status } }`;
const PERMANENT = new Set(["CONFLICT", "INSUFFICIENT_FUNDS", "BAD_USER_INPUT", "NOT_FOUND", "FORBIDDEN"]);
const REQUEST_TIMEOUT_MS = 15_000;

/** Task i's input: 16 features, multiples of 1/8 (exact in binary and in JSON). */
function chaosFeatures(i: number): number[][] {
  return [Array.from({ length: 16 }, (_, j) => (((i * 7 + j * 3) % 17) - 8) / 8)];
}

export class Submitters {
  #acknowledged = 0;
  /** Pulled by stop(): ends waits and requests at once. */
  readonly #abort = new AbortController();
  readonly #outcome: SubmitOutcome = {
    taskIds: new Map(),
    rejected: new Map(),
    retries: 0,
    retriedCodes: {},
  };
  readonly #plan: SubmitPlan;

  constructor(plan: SubmitPlan) {
    this.#plan = plan;
    // Every lane's wait and request listens to it.
    setMaxListeners(0, this.#abort.signal);
  }

  /** Submissions answered so far (a task id or a rejection). */
  get answered(): number {
    return this.#acknowledged;
  }

  get retries(): number {
    return this.#outcome.retries;
  }

  /** Ends every lane at its next step (the run is being torn down). */
  stop(): void {
    this.#abort.abort();
  }

  get #stopped(): boolean {
    return this.#abort.signal.aborted;
  }

  /** Waits, or less if the run is stopped. */
  async #pause(ms: number): Promise<void> {
    await sleep(ms, undefined, { signal: this.#abort.signal }).catch(() => {});
  }

  async run(): Promise<SubmitOutcome> {
    const start = Date.now();
    let next = 0;
    const lane = async () => {
      for (let i = next++; i < this.#plan.keys.length && !this.#stopped; i = next++) {
        const due = start + (i * 1000) / this.#plan.ratePerS;
        if (due > Date.now()) await this.#pause(due - Date.now());
        await this.#submitOne(i);
        this.#acknowledged++;
      }
    };
    await Promise.all(Array.from({ length: this.#plan.concurrency }, lane));
    return this.#outcome;
  }

  async #submitOne(i: number): Promise<void> {
    const key = this.#plan.keys[i] as string;
    const client = this.#plan.clients[i % this.#plan.clients.length] as ChaosClient;
    const body = JSON.stringify({
      query: SUBMIT,
      variables: {
        input: { model: this.#plan.model, input: { features: chaosFeatures(i) }, idempotencyKey: key },
      },
    });
    for (let attempt = 0; ; attempt++) {
      if (this.#stopped || Date.now() > this.#plan.deadlineAt) {
        this.#outcome.rejected.set(key, "NO_ANSWER_BEFORE_DEADLINE");
        return;
      }
      const answer = await post(this.#plan.url(), client.key, body, this.#abort.signal);
      if (answer.kind === "task") {
        this.#outcome.taskIds.set(key, answer.id);
        return;
      }
      if (answer.kind === "error" && PERMANENT.has(answer.code)) {
        this.#outcome.rejected.set(key, answer.code);
        return;
      }
      this.#outcome.retries++;
      const code = answer.kind === "error" ? answer.code : "NO_ANSWER";
      this.#outcome.retriedCodes[code] = (this.#outcome.retriedCodes[code] ?? 0) + 1;
      const limited = answer.kind === "error" ? answer.retryAfterMs : undefined;
      await this.#pause(limited ?? Math.min(500, 50 * 2 ** attempt));
    }
  }
}

type Answer =
  | { kind: "task"; id: string }
  | { kind: "error"; code: string; retryAfterMs?: number }
  | { kind: "no-answer" };

interface SubmitResponse {
  data?: { submitTask?: { id?: string } } | null;
  errors?: { message: string; extensions?: { code?: string; retryAfterMs?: number } }[];
}

async function post(url: string, apiKey: string, body: string, stop: AbortSignal): Promise<Answer> {
  let parsed: SubmitResponse;
  try {
    const res = await fetch(url, {
      method: "POST",
      headers: { "content-type": "application/json", authorization: `Bearer ${apiKey}` },
      body,
      signal: AbortSignal.any([stop, AbortSignal.timeout(REQUEST_TIMEOUT_MS)]),
    });
    parsed = JSON.parse(await res.text()) as SubmitResponse;
  } catch {
    // Refused, reset, timed out, or not JSON (a dying process): the same key goes again.
    return { kind: "no-answer" };
  }
  const id = parsed.data?.submitTask?.id;
  if (id) return { kind: "task", id };
  const error = parsed.errors?.[0];
  const code = error?.extensions?.code ?? "UNKNOWN";
  return error?.extensions?.retryAfterMs === undefined
    ? { kind: "error", code }
    : { kind: "error", code, retryAfterMs: error.extensions.retryAfterMs };
}
