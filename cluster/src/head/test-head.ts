/**
 * Test support: a head's managers wired as head.ts wires them, in memory, with a fake worker
 * client and a clock the test moves. killNode() plays a node whose heartbeats stop.
 */
import type { NodeResources } from "@neurogrid/schema";
import { ActorManager } from "./actor-manager.js";
import { FakeWorkerClient } from "./fake-worker-client.js";
import { NodeManager } from "./node-manager.js";
import { NodeQuarantine, quarantineCause } from "./node-quarantine.js";
import { PlacementGroupManager } from "./placement-group-manager.js";
import { ResourceTable } from "./resource-table.js";
import type { HeadStorage } from "./storage.js";

export interface TestHeadOptions {
  storage?: HeadStorage;
  clock?: { now: number };
  /** Open driver sessions (owners). */
  owners?: ReadonlySet<string>;
}

const HEARTBEAT_TIMEOUT_MS = 1000;

export function testHead(options: TestHeadOptions = {}) {
  const clock = options.clock ?? { now: 0 };
  const { storage } = options;
  const resources = new ResourceTable();
  const nodes = new NodeManager({
    heartbeatTimeoutMs: HEARTBEAT_TIMEOUT_MS,
    resources,
    storage,
    now: () => clock.now,
  });
  const workers = new FakeWorkerClient();
  let id = 0;
  const actors = new ActorManager({
    nodes,
    resources,
    workers,
    storage,
    startTimeoutMs: 1000,
    newActorId: () => `actor-${clock.now}-${++id}`,
    ownerAlive: (owner) => options.owners?.has(owner) ?? false,
    now: () => clock.now,
  });
  let pgId = 0;
  const groups = new PlacementGroupManager({
    resources,
    nodes,
    actors,
    newId: () => `pg${++pgId}`,
    onChange: (g) =>
      storage?.putGroup({ info: g.info, spec: g.spec, placements: g.placements.map((p) => p ?? null) }),
  });
  const quarantine = new NodeQuarantine({ resources, storage, now: () => clock.now });
  quarantine.onQuarantined((nodeId, { reason }) => actors.evictNode(nodeId, quarantineCause(nodeId, reason)));
  const join = (nodeId: string, total: NodeResources) =>
    nodes.register({ nodeId, address: `addr-${nodeId}`, resources: total, labels: {}, nodeToken: "" });
  /** The node's heartbeats stop (the others' go on) until the head marks it DEAD. */
  const killNode = (nodeId: string) => {
    clock.now += 5 * HEARTBEAT_TIMEOUT_MS;
    for (const node of nodes.list()) if (node.nodeId !== nodeId) nodes.heartbeat(node.nodeId, node.session);
    nodes.checkHeartbeats();
  };
  return { clock, resources, nodes, workers, actors, groups, quarantine, join, killNode };
}

/** Lets callbacks queued with setImmediate (retries of waiting requests) run. */
export const tick = () => new Promise((resolve) => setImmediate(resolve));
