/**
 * What one node (or one placement-group bundle) has free, and the allocations taken from it.
 * Amounts are in Demand units (demand.ts). Each GPU is a slot with a free fraction and free
 * VRAM; an allocation names the GPU indices it holds and how much of each.
 *
 * GPU choice:
 * - A fraction goes to the GPU that fits it (free fraction and free VRAM) and has the least
 *   fraction free (best fit, lowest index on ties), so fractions pack onto shared GPUs and whole
 *   GPUs stay free for whole-GPU requests.
 * - Whole GPUs are GPUs nothing else holds, lowest index first. A whole GPU holds all its VRAM
 *   (nothing can share it), after checking the request's VRAM fits in it.
 * - VRAM is never overcommitted: a GPU's free VRAM is its memory minus the VRAM of the
 *   allocations on it, and a share is only taken where it fits.
 * - A GPU marked unschedulable (setUnschedulable: e.g. over its critical temperature) takes no
 *   new shares; what it holds stays (its actors keep running). The reason is part of misfit().
 * - A capacity marked unschedulable as a whole (setBlocked: e.g. its node is quarantined) takes
 *   nothing new; misfit() says why before anything else, so a pending reason names it.
 */
import type { GpuInfo, NodeResources } from "@neurogrid/schema";
import { type Demand, fromUnits, toUnits, UNIT } from "./demand.js";

export interface GpuShare {
  index: number;
  /** Fraction of the GPU, in units (UNIT = the whole GPU). */
  units: number;
  vramMb: number;
}

/** What one placement holds on its node (or bundle). */
export interface Allocation {
  cpu: number;
  memoryMb: number;
  gpus: GpuShare[];
  custom: ReadonlyArray<readonly [string, number]>;
}

interface GpuSlot {
  readonly info: GpuInfo;
  /** What this capacity has of the GPU at most (UNIT for a node; a bundle's share for a bundle). */
  readonly totalUnits: number;
  readonly totalVramMb: number;
  freeUnits: number;
  freeVramMb: number;
}

export class Capacity {
  readonly totalCpu: number;
  readonly totalMemoryMb: number;
  readonly totalCustom: ReadonlyMap<string, number>;
  cpu: number;
  memoryMb: number;
  readonly custom: Map<string, number>;
  readonly gpus: GpuSlot[];
  /** GPU index -> why it takes no new shares now. */
  readonly #unschedulable = new Map<number, string>();
  /** Why the whole capacity takes nothing new now (undefined: it does). */
  #blocked: string | undefined;

  private constructor(cpu: number, memoryMb: number, custom: Map<string, number>, gpus: GpuSlot[]) {
    this.totalCpu = cpu;
    this.totalMemoryMb = memoryMb;
    this.totalCustom = new Map(custom);
    this.cpu = cpu;
    this.memoryMb = memoryMb;
    this.custom = custom;
    this.gpus = gpus.sort((a, b) => a.info.index - b.info.index);
  }

  static ofNode(total: NodeResources): Capacity {
    const custom = new Map(Object.entries(total.custom).map(([name, amount]) => [name, toUnits(amount)]));
    const gpus = total.gpus.map((info) => slot(info, UNIT, info.memoryMb));
    return new Capacity(toUnits(total.cpus), total.memoryMb, custom, gpus);
  }

  /** A bundle: exactly what its allocation took from the node's GPUs (looked up in `node`). */
  static ofAllocation(allocation: Allocation, node: Capacity): Capacity {
    const gpus = allocation.gpus.map((share) => {
      const info = node.gpus.find((g) => g.info.index === share.index)?.info;
      return slot(
        info ?? { index: share.index, uuid: "", name: "", memoryMb: share.vramMb },
        share.units,
        share.vramMb,
      );
    });
    return new Capacity(allocation.cpu, allocation.memoryMb, new Map(allocation.custom), gpus);
  }

  /** Why this capacity cannot host `demand` now, or undefined when it can. */
  misfit(demand: Demand): string | undefined {
    if (this.#blocked !== undefined) return this.#blocked;
    const reasons: string[] = [];
    if (this.cpu < demand.cpu) reasons.push(`cpus ${fromUnits(this.cpu)} free < ${fromUnits(demand.cpu)}`);
    if (this.memoryMb < demand.memoryMb) reasons.push(`memoryMb ${this.memoryMb} free < ${demand.memoryMb}`);
    for (const [name, units] of demand.custom) {
      const free = this.custom.get(name) ?? 0;
      if (free < units) reasons.push(`${name} ${fromUnits(free)} free < ${fromUnits(units)}`);
    }
    if ((demand.gpuCount > 0 || demand.gpuFraction > 0) && this.#pickGpus(demand) === undefined) {
      reasons.push(this.#gpuMisfit(demand));
    }
    return reasons.length === 0 ? undefined : reasons.join(", ");
  }

  /** Takes `demand`; undefined (and nothing taken) when it does not fit. */
  take(demand: Demand): Allocation | undefined {
    if (this.misfit(demand) !== undefined) return undefined;
    const gpus = this.#pickGpus(demand) ?? [];
    const allocation: Allocation = {
      cpu: demand.cpu,
      memoryMb: demand.memoryMb,
      gpus,
      custom: demand.custom,
    };
    this.#apply(allocation, -1);
    return allocation;
  }

  /** Takes an exact allocation (restoring tables); false (nothing taken) when it no longer fits. */
  takeExact(allocation: Allocation): boolean {
    const fits =
      this.cpu >= allocation.cpu &&
      this.memoryMb >= allocation.memoryMb &&
      allocation.custom.every(([name, units]) => (this.custom.get(name) ?? 0) >= units) &&
      allocation.gpus.every((share) => {
        const s = this.#slot(share.index);
        return s !== undefined && s.freeUnits >= share.units && s.freeVramMb >= share.vramMb;
      });
    if (fits) this.#apply(allocation, -1);
    return fits;
  }

  /**
   * Marks GPU `index` as taking no new shares (`reason`), or as usable again (undefined).
   * Returns whether anything changed.
   */
  setUnschedulable(index: number, reason: string | undefined): boolean {
    if (reason === undefined) return this.#unschedulable.delete(index);
    if (this.#unschedulable.get(index) === reason) return false;
    this.#unschedulable.set(index, reason);
    return true;
  }

  /** Marks the whole capacity as taking nothing new (`reason`), or as usable again (undefined). */
  setBlocked(reason: string | undefined): boolean {
    if (this.#blocked === reason) return false;
    this.#blocked = reason;
    return true;
  }

  /** GPU index -> why it takes no new shares now. */
  unschedulableGpus(): ReadonlyMap<number, string> {
    return this.#unschedulable;
  }

  give(allocation: Allocation): void {
    this.#apply(allocation, 1);
  }

  /**
   * How busy this is, in [0, 1]: the largest used fraction over the kinds of resource it has
   * (Ray's critical-resource utilisation). Nothing of any kind counts as full.
   */
  utilization(): number {
    let worst = -1;
    const used = (free: number, total: number) => {
      if (total > 0) worst = Math.max(worst, 1 - free / total);
    };
    used(this.cpu, this.totalCpu);
    used(this.memoryMb, this.totalMemoryMb);
    for (const [name, total] of this.totalCustom) used(this.custom.get(name) ?? 0, total);
    if (this.gpus.length > 0) {
      let free = 0;
      let total = 0;
      for (const g of this.gpus) {
        free += g.freeUnits;
        total += g.totalUnits;
      }
      used(free, total);
    }
    return worst < 0 ? 1 : worst;
  }

  isEmpty(): boolean {
    return (
      this.cpu === this.totalCpu &&
      this.memoryMb === this.totalMemoryMb &&
      [...this.totalCustom].every(([name, total]) => this.custom.get(name) === total) &&
      this.gpus.every((g) => g.freeUnits === g.totalUnits && g.freeVramMb === g.totalVramMb)
    );
  }

  /** The free resources, as the head reports them: GPUs listed are those with anything free. */
  available(): NodeResources {
    return {
      cpus: fromUnits(this.cpu),
      memoryMb: this.memoryMb,
      gpus: this.gpus.filter((g) => g.freeUnits > 0).map((g) => ({ ...g.info, memoryMb: g.freeVramMb })),
      custom: Object.fromEntries([...this.custom].map(([name, units]) => [name, fromUnits(units)])),
    };
  }

  /** Per GPU: index, free fraction and free VRAM (for status and tests). */
  gpuFree(): { index: number; fraction: number; vramMb: number }[] {
    return this.gpus.map((g) => ({
      index: g.info.index,
      fraction: fromUnits(g.freeUnits),
      vramMb: g.freeVramMb,
    }));
  }

  #slot(index: number): GpuSlot | undefined {
    return this.gpus.find((g) => g.info.index === index);
  }

  #apply(allocation: Allocation, sign: 1 | -1): void {
    this.cpu += sign * allocation.cpu;
    this.memoryMb += sign * allocation.memoryMb;
    for (const [name, units] of allocation.custom)
      this.custom.set(name, (this.custom.get(name) ?? 0) + sign * units);
    for (const share of allocation.gpus) {
      const s = this.#slot(share.index);
      if (s === undefined) continue;
      s.freeUnits += sign * share.units;
      s.freeVramMb += sign * share.vramMb;
    }
  }

  #pickGpus(demand: Demand): GpuShare[] | undefined {
    if (demand.gpuFraction > 0) {
      let best: GpuSlot | undefined;
      for (const g of this.gpus) {
        if (this.#unschedulable.has(g.info.index)) continue;
        if (g.freeUnits < demand.gpuFraction || g.freeVramMb < demand.vramMb) continue;
        if (best === undefined || g.freeUnits < best.freeUnits) best = g;
      }
      return best && [{ index: best.info.index, units: demand.gpuFraction, vramMb: demand.vramMb }];
    }
    const whole = this.gpus.filter(
      (g) =>
        g.freeUnits === UNIT &&
        g.totalUnits === UNIT &&
        g.freeVramMb >= demand.vramMb &&
        !this.#unschedulable.has(g.info.index),
    );
    if (whole.length < demand.gpuCount) return undefined;
    return whole
      .slice(0, demand.gpuCount)
      .map((g) => ({ index: g.info.index, units: UNIT, vramMb: g.freeVramMb }));
  }

  #gpuMisfit(demand: Demand): string {
    const why = this.#gpuMisfitAmounts(demand);
    if (this.#unschedulable.size === 0) return why;
    const blocked = [...this.#unschedulable].map(([index, reason]) => `GPU ${index} ${reason}`);
    return `${why} (${blocked.join("; ")})`;
  }

  #gpuMisfitAmounts(demand: Demand): string {
    const usable = (g: GpuSlot) => !this.#unschedulable.has(g.info.index);
    if (demand.gpuFraction > 0) {
      const most = Math.max(0, ...this.gpus.filter(usable).map((g) => g.freeUnits));
      const vram = demand.vramMb > 0 ? ` and ${demand.vramMb} MiB VRAM` : "";
      return `no GPU has ${fromUnits(demand.gpuFraction)} free${vram} (most free: ${fromUnits(most)})`;
    }
    const free = this.gpus.filter((g) => g.freeUnits === UNIT && g.totalUnits === UNIT && usable(g)).length;
    if (free < demand.gpuCount) return `gpus ${free} free < ${demand.gpuCount}`;
    return `gpus: fewer than ${demand.gpuCount} free GPUs with ${demand.vramMb} MiB VRAM`;
  }
}

function slot(info: GpuInfo, units: number, vramMb: number): GpuSlot {
  return { info, totalUnits: units, totalVramMb: vramMb, freeUnits: units, freeVramMb: vramMb };
}
