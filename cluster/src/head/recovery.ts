/**
 * A head starting on stored tables (storage.ts) picks up where the one before it stopped,
 * before it serves anything:
 *
 * 1. nodes: every stored node is ALIVE as of now, with its resources free, and has a
 *    heartbeat timeout to register again (workers do so when their heartbeat stream breaks and
 *    the head answers again; a node that does is kept with everything on it);
 * 2. placement groups: each reserved bundle takes its allocation back on its node;
 * 3. actors: each ALIVE actor takes its allocation back, on its node or in its bundle, so the
 *    restarted head books exactly what the old one had booked, never twice (see
 *    ActorManager.restore for actors the old head left half-started).
 *
 * A node that does not come back is DEAD after the heartbeat timeout, and its actors restart
 * elsewhere or die, as with any dead node.
 *
 * Quarantined nodes (node-quarantine.ts) are quarantined again before anything is placed, and
 * an actor the stored tables still have on one (the old head stopped mid-move) is moved.
 */
import type { ActorManager } from "./actor-manager.js";
import type { NodeManager } from "./node-manager.js";
import { type NodeQuarantine, quarantineCause } from "./node-quarantine.js";
import type { PlacementGroupManager } from "./placement-group-manager.js";
import type { HeadStorage } from "./storage.js";

export interface Recovered {
  nodes: number;
  actors: number;
  groups: number;
}

export async function recover(
  storage: HeadStorage,
  managers: {
    nodes: NodeManager;
    actors: ActorManager;
    groups: PlacementGroupManager;
    quarantine: NodeQuarantine;
  },
): Promise<Recovered> {
  const tables = await storage.load();
  managers.quarantine.restore(tables.quarantined);
  managers.nodes.restoreRevoked(tables.revoked);
  for (const node of tables.nodes) if (!tables.revoked.includes(node.nodeId)) managers.nodes.restore(node);
  for (const group of tables.groups) {
    managers.groups.restore({
      info: group.info,
      spec: group.spec,
      placements: group.placements.map((p) => p ?? undefined),
    });
  }
  managers.actors.restore(tables.actors, tables.names);
  for (const { nodeId, reason } of tables.quarantined)
    managers.actors.evictNode(nodeId, quarantineCause(nodeId, reason));
  return { nodes: tables.nodes.length, actors: tables.actors.length, groups: tables.groups.length };
}
