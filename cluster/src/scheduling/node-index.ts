/**
 * The nodes, indexed by what they have free, so that a decision visits few nodes whatever the
 * cluster's size (no scan of every node per decision).
 *
 * Two levels:
 * - Pools: nodes of the same shape (the same totals of every resource, GPUs and their memory
 *   included) share a pool. A decision first drops the pools whose shape could never host the
 *   request (a cost in the number of shapes, which stays small: fleets are built from a few
 *   machine types), and knows at once when no node could ever host it.
 * - Levels: inside a pool, nodes sit in LEVELS + 1 buckets by utilisation (Capacity.utilization,
 *   the busiest resource's used fraction, in steps of 1 / LEVELS). A policy walks the buckets in
 *   its own order (pack: busiest below the threshold first; spread: least busy first) and takes
 *   the first node that fits. A node below utilisation u has at least 1 - u of every resource
 *   free, so the first few nodes met almost always fit.
 *
 * Cost per decision: O(pools x LEVELS) for the walk plus the nodes visited until one fits. The
 * worst case, nearly every node of the right shape too full for the request, visits them all;
 * that case is also the one where the request ends up pending.
 * The scheduler keeps one index of all nodes and one per node label (key=value), so a label
 * selector walks only the nodes that carry its label, in the same order.
 * Buckets are insertion-ordered sets: `touch(node, rotate)` with rotate moves a node to the back
 * of its bucket, which makes SPREAD round-robin among equally loaded nodes.
 */
import type { Capacity } from "./capacity.js";
import { type Demand, wantsGpu } from "./demand.js";

const LEVELS = 20;

export interface IndexedNode {
  readonly nodeId: string;
  readonly capacity: Capacity;
  readonly labels: Readonly<Record<string, string>>;
}

interface Filed {
  pool: Pool;
  level: number;
}

export class Pool {
  readonly key: string;
  readonly hasGpus: boolean;
  readonly levels: Set<IndexedNode>[] = Array.from({ length: LEVELS + 1 }, () => new Set());
  readonly #shape: Capacity;

  constructor(key: string, shape: Capacity) {
    this.key = key;
    this.#shape = shape;
    this.hasGpus = shape.gpus.length > 0;
  }

  /** Whether a node of this shape, empty, could host `demand`. */
  couldHost(demand: Demand): boolean {
    const s = this.#shape;
    if (s.totalCpu < demand.cpu || s.totalMemoryMb < demand.memoryMb) return false;
    for (const [name, units] of demand.custom) if ((s.totalCustom.get(name) ?? 0) < units) return false;
    if (!wantsGpu(demand)) return true;
    const big = s.gpus.filter((g) => g.totalVramMb >= demand.vramMb).length;
    return demand.gpuFraction > 0 ? big > 0 : big >= demand.gpuCount;
  }
}

function levelOf(utilization: number): number {
  return Math.max(0, Math.min(LEVELS, Math.floor(utilization * LEVELS + 1e-9)));
}

function shapeKey(c: Capacity): string {
  const gpus = c.gpus.map((g) => `${g.totalUnits}/${g.totalVramMb}`).join(",");
  const custom = [...c.totalCustom].sort((a, b) => (a[0] < b[0] ? -1 : 1)).map(([n, u]) => `${n}=${u}`);
  return `${c.totalCpu}|${c.totalMemoryMb}|${gpus}|${custom.join(",")}`;
}

export type Walk = "pack" | "spread";

export class NodeIndex {
  readonly #pools = new Map<string, Pool>();
  /** Pools that could host a demand, cached per shape of demand (pools only ever get added). */
  #eligible = new Map<string, { gpuFree: Pool[]; gpu: Pool[] }>();

  readonly #filed = new Map<IndexedNode, Filed>();

  get size(): number {
    return this.#filed.size;
  }

  add(node: IndexedNode): void {
    const key = shapeKey(node.capacity);
    let pool = this.#pools.get(key);
    if (pool === undefined) {
      pool = new Pool(key, node.capacity);
      this.#pools.set(key, pool);
      this.#eligible.clear();
    }
    const level = levelOf(node.capacity.utilization());
    this.#filed.set(node, { pool, level });
    pool.levels[level]?.add(node);
  }

  remove(node: IndexedNode): void {
    const filed = this.#filed.get(node);
    if (filed === undefined) return;
    filed.pool.levels[filed.level]?.delete(node);
    this.#filed.delete(node);
  }

  /** After the node's capacity changed: re-files it (at the back of its bucket when rotating). */
  touch(node: IndexedNode, rotate: boolean): void {
    const filed = this.#filed.get(node);
    if (filed === undefined) return;
    const level = levelOf(node.capacity.utilization());
    if (level === filed.level && !rotate) return;
    filed.pool.levels[filed.level]?.delete(node);
    filed.level = level;
    filed.pool.levels[level]?.add(node);
  }

  /**
   * Pools that could host `demand`, in preference groups: a request without GPUs tries pools
   * without GPUs first (keeping GPU nodes for GPU work, as Ray's hybrid policy does).
   */
  eligible(demand: Demand): Pool[][] {
    const key = `${demand.cpu}|${demand.memoryMb}|${demand.gpuCount}|${demand.gpuFraction}|${demand.vramMb}|${demand.custom.join(";")}`;
    let found = this.#eligible.get(key);
    if (found === undefined) {
      const pools = [...this.#pools.values()].filter((p) => p.couldHost(demand));
      found = { gpuFree: pools.filter((p) => !p.hasGpus), gpu: pools.filter((p) => p.hasGpus) };
      if (this.#eligible.size > 10_000) this.#eligible.clear();
      this.#eligible.set(key, found);
    }
    return wantsGpu(demand) ? [found.gpu] : [found.gpuFree, found.gpu];
  }

  /** The first node, in `walk` order over the eligible pools, for which `accept` is true. */
  find(
    demand: Demand,
    walk: Walk,
    threshold: number,
    accept: (node: IndexedNode) => boolean,
  ): IndexedNode | undefined {
    const order = levelOrder(walk, threshold);
    for (const group of this.eligible(demand)) {
      if (group.length === 0) continue;
      for (const level of order) {
        for (const pool of group) {
          const bucket = pool.levels[level];
          if (bucket === undefined || bucket.size === 0) continue;
          for (const node of bucket) if (accept(node)) return node;
        }
      }
    }
    return undefined;
  }
}

const ORDERS = new Map<string, number[]>();

/** Pack: from just below the threshold down to idle, then the rest from least busy. Spread: least busy first. */
function levelOrder(walk: Walk, threshold: number): number[] {
  const key = `${walk}:${threshold}`;
  let order = ORDERS.get(key);
  if (order === undefined) {
    const all = Array.from({ length: LEVELS + 1 }, (_, i) => i);
    if (walk === "spread") order = all;
    else {
      const cut = Math.max(0, Math.min(LEVELS, Math.ceil(threshold * LEVELS)));
      order = [...all.slice(0, cut).reverse(), ...all.slice(cut)];
    }
    ORDERS.set(key, order);
  }
  return order;
}
