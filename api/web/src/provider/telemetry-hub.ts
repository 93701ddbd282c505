import { useEffect, useState } from "react";
import { useClient } from "urql";
import { GPU_TELEMETRY, type GpuTelemetryData, type TelemetryEvent } from "./provider-operations.js";

/**
 * The provider view's one gpuTelemetry subscription, fanned out outside React: charts and
 * readouts listen here and draw on each sample themselves, so a second of telemetry for many
 * GPUs re-renders no component tree.
 */
type Listener = (event: TelemetryEvent) => void;

export class TelemetryHub {
  readonly latest = new Map<string, TelemetryEvent>();
  readonly #listeners = new Set<Listener>();

  listen(listener: Listener): () => void {
    this.#listeners.add(listener);
    return () => void this.#listeners.delete(listener);
  }

  push(event: TelemetryEvent): void {
    this.latest.set(event.nodeId, event);
    for (const listener of this.#listeners) listener(event);
  }
}

export function useTelemetryHub(): TelemetryHub {
  const client = useClient();
  const [hub] = useState(() => new TelemetryHub());
  useEffect(() => {
    const { unsubscribe } = client.subscription<GpuTelemetryData>(GPU_TELEMETRY, {}).subscribe((result) => {
      if (result.data) hub.push(result.data.gpuTelemetry);
    });
    return unsubscribe;
  }, [client, hub]);
  return hub;
}
