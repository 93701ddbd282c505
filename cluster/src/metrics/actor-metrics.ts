/**
 * The worker's view of its actors for /metrics, fed by the actor processes over IPC:
 *
 *   neurogrid_actor_call_duration_seconds{class,method,outcome}   histogram of every call an
 *       actor of the class served on this node, added up from the deltas each actor process
 *       sends about once a second (call-histogram.ts); it outlives the actors, so its counts
 *       only grow. Calls of the last second of an actor killed by force are lost.
 *   neurogrid_actor_info{actor_id,class,...}   1 per live actor, with the labels its instance's
 *       info() reported once started (ActorInstance.info, e.g. model, execution_provider);
 *       removed when the actor's process exits.
 *
 * Reported label names that are not valid Prometheus names, start with "__", or would shadow
 * actor_id/class are dropped, as are labels past MAX_INFO_LABELS; values are cut at
 * MAX_INFO_VALUE_CHARS.
 */
import type { Registry } from "prom-client";
import { addSeries, type CallSeries, emptySeries } from "./call-histogram.js";
import { histogramSamples, registerCollected, type Sample } from "./collected-metric.js";

const CALL_DURATION_METRIC = "neurogrid_actor_call_duration_seconds";
const ACTOR_INFO_METRIC = "neurogrid_actor_info";

const MAX_INFO_LABELS = 16;
const MAX_INFO_VALUE_CHARS = 256;
const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;
const RESERVED = new Set(["actor_id", "class", "le", "quantile"]);

interface ClassSeries {
  className: string;
  series: CallSeries;
}

export class ActorMetrics {
  readonly #calls = new Map<string, ClassSeries>();
  readonly #live = new Map<string, Record<string, string>>();

  /** Adds a delta an actor process of class `className` sent. */
  addCalls(className: string, delta: readonly CallSeries[]): void {
    for (const part of delta) {
      const key = `${className}\0${part.method}\0${part.outcome}`;
      let entry = this.#calls.get(key);
      if (entry === undefined) {
        entry = { className, series: emptySeries(part.method, part.outcome) };
        this.#calls.set(key, entry);
      }
      addSeries(entry.series, part);
    }
  }

  /** An actor is up: its info gauge appears, with the labels it reported. */
  actorStarted(actorId: string, className: string, info: Readonly<Record<string, string>>): void {
    this.#live.set(actorId, { actor_id: actorId, class: className, ...infoLabels(info) });
  }

  /** An actor's process exited: its info gauge goes. */
  actorGone(actorId: string): void {
    this.#live.delete(actorId);
  }

  /** Calls served so far per class, method and outcome, most first (the worker's status page). */
  callTotals(): { className: string; method: string; outcome: string; count: number; meanMs: number }[] {
    return [...this.#calls.values()]
      .map(({ className, series }) => ({
        className,
        method: series.method,
        outcome: series.outcome,
        count: series.count,
        meanMs: series.count === 0 ? 0 : (series.sum / series.count) * 1000,
      }))
      .sort((a, b) => b.count - a.count);
  }

  register(registry: Registry): void {
    registerCollected(registry, {
      name: CALL_DURATION_METRIC,
      help: "Calls served by this node's actors, from arrival at the actor to its final reply",
      type: "histogram",
      collect: () => {
        const samples: Sample[] = [];
        for (const { className, series } of this.#calls.values()) {
          const labels = { class: className, method: series.method, outcome: series.outcome };
          samples.push(...histogramSamples(CALL_DURATION_METRIC, labels, series));
        }
        return samples;
      },
    });
    registerCollected(registry, {
      name: ACTOR_INFO_METRIC,
      help: "1 per live actor on this node, labelled with what the actor reports about itself",
      type: "gauge",
      collect: () => [...this.#live.values()].map((labels) => ({ labels, value: 1 })),
    });
  }
}

function infoLabels(info: Readonly<Record<string, string>>): Record<string, string> {
  const kept = Object.entries(info)
    .filter(
      ([name, value]) =>
        LABEL_NAME.test(name) && !name.startsWith("__") && !RESERVED.has(name) && typeof value === "string",
    )
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .slice(0, MAX_INFO_LABELS)
    .map(([name, value]) => [name, value.slice(0, MAX_INFO_VALUE_CHARS)]);
  return Object.fromEntries(kept);
}
