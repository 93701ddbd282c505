import type { ClusterClient, ClusterEventWithTelemetry } from "@neurogrid/cluster";

/**
 * The head's event stream (WatchCluster, with GPU telemetry), watched once per api process and
 * fanned out to its GraphQL subscribers (nodeStatus, clusterEvents) and the GPU alert engine. Each api process watches the head itself, so
 * every replica behind a load balancer delivers every event, with no relay to duplicate them.
 * The watch starts with the first listener, stops with the last, and reconnects with backoff.
 */
type Listener = (event: ClusterEventWithTelemetry) => void;
/** What the watch needs of the cluster client (a bench feeds synthetic telemetry through it). */
export type ClusterEventSource = Pick<ClusterClient, "watchCluster">;

export class ClusterWatch {
  readonly #listeners = new Set<Listener>();
  #abort: AbortController | undefined;

  readonly #cluster: ClusterEventSource;
  readonly #log: (msg: string) => void;

  constructor(cluster: ClusterEventSource, log: (msg: string) => void = () => {}) {
    this.#cluster = cluster;
    this.#log = log;
  }

  listen(listener: Listener): () => void {
    this.#listeners.add(listener);
    if (!this.#abort) this.#start();
    return () => {
      this.#listeners.delete(listener);
      if (this.#listeners.size === 0) this.stop();
    };
  }

  stop(): void {
    this.#abort?.abort();
    this.#abort = undefined;
  }

  #start(): void {
    const abort = new AbortController();
    this.#abort = abort;
    void (async () => {
      let delay = 200;
      while (!abort.signal.aborted) {
        try {
          for await (const event of this.#cluster.watchCluster({ telemetry: true, signal: abort.signal })) {
            delay = 200;
            for (const listener of this.#listeners) listener(event);
          }
        } catch (err) {
          if (abort.signal.aborted) return;
          this.#log(`cluster watch: ${err instanceof Error ? err.message : String(err)}; retrying`);
        }
        await new Promise((r) => setTimeout(r, delay));
        delay = Math.min(delay * 2, 5000);
      }
    })();
  }
}
