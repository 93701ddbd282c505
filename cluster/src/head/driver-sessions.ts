/**
 * Driver sessions (the owners of owned actors). A session is open while at least one of its
 * DriverSession streams is. When its last stream ends (the driver closed it, its process died,
 * or the connection broke) the session ends after a grace period, unless a stream opens again
 * meanwhile (drivers reopen a broken stream at once); then `onEnd` runs (the actor manager
 * kills what the session owned). After a head restart the sessions that owned live actors are
 * expected back within the same grace period.
 */
export class DriverSessions {
  readonly #open = new Map<string, number>();
  readonly #ending = new Map<string, NodeJS.Timeout>();
  readonly #onEnd: (sessionId: string) => void;
  readonly #graceMs: number;

  constructor(onEnd: (sessionId: string) => void, graceMs: number) {
    this.#onEnd = onEnd;
    this.#graceMs = graceMs;
  }

  /** Opens (or joins) a session; returns the function that ends this stream's share of it. */
  open(sessionId: string): () => void {
    clearTimeout(this.#ending.get(sessionId));
    this.#ending.delete(sessionId);
    this.#open.set(sessionId, (this.#open.get(sessionId) ?? 0) + 1);
    let closed = false;
    return () => {
      if (closed) return;
      closed = true;
      const left = (this.#open.get(sessionId) ?? 1) - 1;
      if (left > 0) {
        this.#open.set(sessionId, left);
        return;
      }
      this.#open.delete(sessionId);
      this.#endLater(sessionId);
    };
  }

  /** Sessions that owned live actors before a head restart: they end unless they come back. */
  expect(sessionIds: Iterable<string>): void {
    for (const sessionId of sessionIds) if (!this.#open.has(sessionId)) this.#endLater(sessionId);
  }

  /** Open, or ended so recently that it may still come back. */
  isOpen(sessionId: string): boolean {
    return this.#open.has(sessionId) || this.#ending.has(sessionId);
  }

  /** Stops the grace timers (the head is stopping). */
  stop(): void {
    for (const timer of this.#ending.values()) clearTimeout(timer);
    this.#ending.clear();
  }

  #endLater(sessionId: string): void {
    if (this.#ending.has(sessionId)) return;
    const timer = setTimeout(() => {
      this.#ending.delete(sessionId);
      this.#onEnd(sessionId);
    }, this.#graceMs);
    timer.unref();
    this.#ending.set(sessionId, timer);
  }
}
