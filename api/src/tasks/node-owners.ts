import type { MikroORM } from "@mikro-orm/postgresql";
import { Node } from "../db/entities/index.js";

/** How long a node's owner is remembered: a node's owner does not change under a running task. */
const NODE_OWNER_TTL_MS = 30_000;

/** A node no provider owns: nobody could be credited, so no task runs there. */
export class UnownedNodeError extends Error {}

/** Who owns a node (the provider credited for the tasks it runs), cached briefly. */
export class NodeOwners {
  readonly #owners = new Map<string, { providerId: string; at: number }>();
  readonly #orm: MikroORM;
  readonly #now: () => number;

  constructor(orm: MikroORM, now: () => number = Date.now) {
    this.#orm = orm;
    this.#now = now;
  }

  async providerOf(nodeId: string): Promise<string> {
    const hit = this.#owners.get(nodeId);
    if (hit && this.#now() - hit.at < NODE_OWNER_TTL_MS) return hit.providerId;
    const node = await this.#orm.em.fork().findOne(Node, nodeId);
    if (!node) throw new UnownedNodeError(`node ${nodeId} is not registered to a provider`);
    this.#owners.set(nodeId, { providerId: node.provider.id, at: this.#now() });
    return node.provider.id;
  }
}
