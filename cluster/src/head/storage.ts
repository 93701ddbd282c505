/**
 * The head's tables behind one storage interface (after Ray's GCS table storage): nodes,
 * actors, placement groups, the named-actor index, revoked and quarantined nodes. The managers
 * keep their tables in memory and write every change through here; a head that starts with the
 * same storage loads them back (recovery.ts) and carries on where the old one stopped.
 *
 * Writes are write-behind and ordered: put/delete return at once, and the store applies them in
 * the order they were made (flush() waits for those made so far). What a head killed with
 * SIGKILL loses is at most the last few milliseconds of changes; recovery is built for that
 * (an actor caught mid-start is simply placed again).
 *
 * MemoryStorage is the in-memory implementation (tests; a head without --storage), and may be
 * handed to a second head to play a restart. RedisStorage (redis-storage.ts) is for production.
 */
import type {
  ActorInfo,
  ActorSpec,
  NodeResources,
  PlacementGroupInfo,
  PlacementGroupSpec,
} from "@neurogrid/schema";
import type { ActorPlacement, BundlePlacement } from "./resource-table.js";

export interface StoredNode {
  nodeId: string;
  address: string;
  total: NodeResources;
  labels: Record<string, string>;
}

export interface StoredActor {
  info: ActorInfo;
  spec: ActorSpec;
  placement?: ActorPlacement | undefined;
}

export interface StoredGroup {
  info: PlacementGroupInfo;
  spec: PlacementGroupSpec;
  placements: (BundlePlacement | null)[];
}

/** A node in quarantine (node-quarantine.ts). */
export interface StoredQuarantine {
  nodeId: string;
  reason: string;
  sinceMs: number;
}

export interface StoredTables {
  nodes: StoredNode[];
  actors: StoredActor[];
  groups: StoredGroup[];
  /** (namespace, name) key -> the actor id currently holding that name. */
  names: Map<string, string>;
  /** Node ids revoked for good (node-manager.ts revoke). */
  revoked: string[];
  /** Nodes in quarantine (node-quarantine.ts). */
  quarantined: StoredQuarantine[];
}

export interface HeadStorage {
  load(): Promise<StoredTables>;
  putNode(node: StoredNode): void;
  deleteNode(nodeId: string): void;
  putActor(actor: StoredActor): void;
  deleteActor(actorId: string): void;
  /** The actor that holds a name now (keyed as actor-spec.ts actorKey). */
  putName(key: string, actorId: string): void;
  putGroup(group: StoredGroup): void;
  /** Records a revoked node id; never removed. */
  putRevoked(nodeId: string): void;
  putQuarantine(quarantine: StoredQuarantine): void;
  deleteQuarantine(nodeId: string): void;
  /** Resolves once every change made so far is stored. */
  flush(): Promise<void>;
  close(): Promise<void>;
}

/** JSON round trip: what is stored never shares objects with the live tables. */
function copy<T>(value: T): T {
  return JSON.parse(JSON.stringify(value)) as T;
}

export class MemoryStorage implements HeadStorage {
  readonly #nodes = new Map<string, StoredNode>();
  readonly #actors = new Map<string, StoredActor>();
  readonly #groups = new Map<string, StoredGroup>();
  readonly #names = new Map<string, string>();
  readonly #revoked = new Set<string>();
  readonly #quarantined = new Map<string, StoredQuarantine>();

  async load(): Promise<StoredTables> {
    return {
      nodes: [...this.#nodes.values()].map(copy),
      actors: [...this.#actors.values()].map(copy),
      groups: [...this.#groups.values()].map(copy),
      names: new Map(this.#names),
      revoked: [...this.#revoked],
      quarantined: [...this.#quarantined.values()].map(copy),
    };
  }

  putNode(node: StoredNode): void {
    this.#nodes.set(node.nodeId, copy(node));
  }

  deleteNode(nodeId: string): void {
    this.#nodes.delete(nodeId);
  }

  putActor(actor: StoredActor): void {
    this.#actors.set(actor.info.actorId, copy(actor));
  }

  deleteActor(actorId: string): void {
    this.#actors.delete(actorId);
  }

  putName(key: string, actorId: string): void {
    this.#names.set(key, actorId);
  }

  putGroup(group: StoredGroup): void {
    this.#groups.set(group.info.placementGroupId, copy(group));
  }

  putRevoked(nodeId: string): void {
    this.#revoked.add(nodeId);
  }

  putQuarantine(quarantine: StoredQuarantine): void {
    this.#quarantined.set(quarantine.nodeId, copy(quarantine));
  }

  deleteQuarantine(nodeId: string): void {
    this.#quarantined.delete(nodeId);
  }

  async flush(): Promise<void> {}

  async close(): Promise<void> {}
}
