/**
 * Actor lifecycle events: every state transition, with its cause, published in process to
 * whoever listens (the WatchActors stream, logs, tests). Listeners are called synchronously,
 * in the order they subscribed; one that throws does not stop the others.
 */
import type { ActorInfo, ActorState } from "@neurogrid/schema";

export interface ActorEvent {
  /** The actor after the transition. */
  actor: ActorInfo;
  /** The state before; undefined for a new actor. */
  from: ActorState | undefined;
  cause: string;
  /** Head clock, ms since the epoch. */
  atMs: number;
}

export type ActorEventListener = (event: ActorEvent) => void;

export class ActorEvents {
  readonly #listeners = new Set<ActorEventListener>();

  /** Subscribes; returns the unsubscribe function. */
  on(listener: ActorEventListener): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  emit(event: ActorEvent): void {
    for (const listener of [...this.#listeners]) {
      try {
        listener(event);
      } catch {
        // a listener's failure is its own
      }
    }
  }
}
