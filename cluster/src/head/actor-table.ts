/**
 * The actor table: every actor the head knows by id, and the named-actor index (namespace,
 * name) -> the current actor of that name (a DEAD one stays until a new one replaces it, so
 * GetActor can say why it died). Plain maps, written through to the head's storage when it has
 * one (storage.ts); the actor manager owns the transitions and says when to save().
 */
import type { ActorInfo, ActorSpec } from "@neurogrid/schema";
import { ActorState, actorId, nodeId } from "@neurogrid/schema";
import { ClusterError } from "../errors.js";
import { actorKey, actorLabel } from "./actor-spec.js";
import type { ActorPlacement } from "./resource-table.js";
import type { HeadStorage, StoredActor } from "./storage.js";

export interface ActorEntry {
  info: ActorInfo;
  spec: ActorSpec;
  /** What the actor holds now (none while it waits to be placed, or once DEAD). */
  placement?: ActorPlacement | undefined;
  /** Bumped by every start attempt; a start that finishes under an older one is stale. */
  attempt: number;
  /** Settles when the actor is next ALIVE (resolve) or DEAD (reject); for getOrCreate callers. */
  waiters?: Deferred<ActorInfo> | undefined;
}

export interface Deferred<T> {
  promise: Promise<T>;
  resolve(value: T): void;
  reject(error: Error): void;
}

export function deferred<T>(): Deferred<T> {
  let resolve!: (value: T) => void;
  let reject!: (error: Error) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  promise.catch(() => {}); // a creation nobody waits for any more must not be an unhandled rejection
  return { promise, resolve, reject };
}

export function newEntry(id: string, spec: ActorSpec): ActorEntry {
  return {
    spec,
    attempt: 0,
    waiters: deferred(),
    info: {
      actorId: actorId(id),
      name: spec.name,
      namespace: spec.namespace,
      className: spec.className,
      state: ActorState.PENDING_CREATION,
      nodeId: nodeId(""), // not placed yet
      address: "",
      gpuIds: [],
      pid: 0,
      deathCause: "",
      pendingReason: "",
      numRestarts: 0,
      maxTaskRetries: spec.maxTaskRetries ?? 0,
      epoch: 0,
    },
  };
}

export class ActorTable {
  readonly #byId = new Map<string, ActorEntry>();
  readonly #byName = new Map<string, ActorEntry>();
  readonly #storage: HeadStorage | undefined;

  constructor(storage?: HeadStorage) {
    this.#storage = storage;
  }

  /** A new actor, now the holder of its name. */
  put(entry: ActorEntry): void {
    const key = actorKey(entry.info.namespace, entry.info.name);
    this.#byId.set(entry.info.actorId, entry);
    this.#byName.set(key, entry);
    this.#storage?.putName(key, entry.info.actorId);
    this.save(entry);
  }

  /** Writes the actor's record through to storage. */
  save(entry: ActorEntry): void {
    this.#storage?.putActor({ info: entry.info, spec: entry.spec, placement: entry.placement });
  }

  /** Resolves once every record saved so far is stored. */
  async flush(): Promise<void> {
    await this.#storage?.flush();
  }

  /** Loads stored records (head restart): `names` says which actor holds each name. */
  restore(records: readonly StoredActor[], names: ReadonlyMap<string, string>): ActorEntry[] {
    const entries = records.map(
      (r): ActorEntry => ({
        info: { ...r.info, maxTaskRetries: r.spec.maxTaskRetries ?? 0 },
        spec: r.spec,
        placement: r.placement,
        attempt: 0,
      }),
    );
    for (const entry of entries) this.#byId.set(entry.info.actorId, entry);
    for (const [key, actorId] of names) {
      const entry = this.#byId.get(actorId);
      if (entry !== undefined) this.#byName.set(key, entry);
    }
    return entries;
  }

  byName(namespace: string, name: string): ActorEntry | undefined {
    return this.#byName.get(actorKey(namespace, name));
  }

  /** The current actor of that name; NOT_FOUND when there never was one. */
  mustByName(namespace: string, name: string): ActorEntry {
    const entry = this.byName(namespace, name);
    if (entry === undefined)
      throw new ClusterError("NOT_FOUND", `no actor named ${actorLabel(namespace, name)}`);
    return entry;
  }

  byId(actorId: string): ActorEntry | undefined {
    return this.#byId.get(actorId);
  }

  /** Actors that are the current holders of their names (in namespace, or all). */
  current(namespace?: string): ActorEntry[] {
    const all = [...this.#byName.values()];
    return namespace ? all.filter((e) => e.info.namespace === namespace) : all;
  }

  all(): IterableIterator<ActorEntry> {
    return this.#byId.values();
  }

  /** Forgets a DEAD actor that a newer one of the same name has replaced. */
  forget(entry: ActorEntry): void {
    if (entry.info.state !== ActorState.DEAD) return;
    this.#byId.delete(entry.info.actorId);
    this.#storage?.deleteActor(entry.info.actorId);
  }
}

export function snapshot(info: ActorInfo): ActorInfo {
  return { ...info, gpuIds: [...info.gpuIds] };
}
