import type { Pricing } from "@neurogrid/schema";

/** What settling a task needs of it: its client, its escrow and the pricing it was held under. */
export interface TaskRef {
  id: string;
  accountId: string;
  pricing: Pricing;
  maxPrice: bigint;
  /** The client asked for a check of it (`verify`): its escrow covers the extra run. */
  verify?: boolean | undefined;
}

/** A task's pricing: the one it was submitted under (older rows: per call at their escrow). */
export function pricingOfTask(task: { pricing?: Pricing | null | undefined; maxPrice: bigint }): Pricing {
  return task.pricing ?? { unit: "call", price: task.maxPrice.toString(), maxUnits: 1 };
}
