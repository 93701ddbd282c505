import type { ClusterEventWithTelemetry } from "@neurogrid/cluster";
import type { ClusterEventSource } from "../cluster-events/cluster-watch.js";

/**
 * Cluster events for the dashboard bench: every `intervalMs`, one telemetry event per node, each
 * with `gpusPerNode` GPUs whose readings wander on slow waves (a head would pass the same on from
 * that many workers' heartbeats). Nothing else happens in this cluster.
 */
export function syntheticTelemetry(
  nodeIds: string[],
  gpusPerNode: number,
  intervalMs: number,
): ClusterEventSource {
  async function* events(signal: AbortSignal | undefined): AsyncIterable<ClusterEventWithTelemetry> {
    let tick = 0;
    while (!signal?.aborted) {
      const now = Date.now();
      for (const [n, nodeId] of nodeIds.entries()) {
        yield {
          kind: "telemetry",
          nodeId,
          atMs: now,
          unschedulableGpus: {},
          telemetry: {
            sampledAtMs: now,
            status: "ok",
            gpus: Array.from({ length: gpusPerNode }, (_, index) => {
              const phase = tick / 20 + n + index / 3;
              return {
                index,
                uuid: `GPU-${nodeId}-${index}`,
                name: "Bench GPU 24GB",
                temperatureC: 55 + 20 * Math.sin(phase),
                utilizationPct: 50 + 45 * Math.sin(phase * 1.7),
                memoryUsedMb: 12_000 + 8_000 * Math.sin(phase / 2),
                memoryTotalMb: 24_576,
                powerDrawW: 250 + 150 * Math.sin(phase * 1.3),
                powerLimitW: 450,
              };
            }),
          },
        } as ClusterEventWithTelemetry;
      }
      tick++;
      await new Promise<void>((resolve) => {
        const done = () => {
          clearTimeout(timer);
          signal?.removeEventListener("abort", done);
          resolve();
        };
        const timer = setTimeout(done, Math.max(0, now + intervalMs - Date.now()));
        signal?.addEventListener("abort", done, { once: true });
      });
    }
  }
  return {
    watchCluster: ((opts: { signal?: AbortSignal }) =>
      events(opts.signal)) as ClusterEventSource["watchCluster"],
  };
}
