/**
 * The deployment autoscaler's arithmetic and timing, with a fake actor table and a fake clock:
 * wanted = clamp(ceil(ongoing / target), min, max) after the up/down delays; stale reports stop
 * counting; a request at an empty deployment gets a replica at once; dead replicas are replaced;
 * a re-applied deployment adopts the replicas that survived.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import {
  type ActorInfo,
  type ActorSpec,
  ActorState,
  actorId,
  type DeploymentSpec,
  nodeId,
} from "@neurogrid/schema";
import { DeploymentManager, REPORT_TTL_MS, type ReplicaActors } from "./deployment-manager.js";

class FakeActors implements ReplicaActors {
  readonly actors = new Map<string, ActorInfo>();
  readonly killed: string[] = [];
  #next = 0;
  async getOrCreate(spec: ActorSpec): Promise<ActorInfo> {
    const existing = this.actors.get(spec.name);
    if (existing && existing.state !== ActorState.DEAD) return existing;
    const info: ActorInfo = {
      actorId: actorId(`a${this.#next++}`),
      name: spec.name,
      namespace: spec.namespace,
      className: spec.className,
      state: ActorState.ALIVE,
      nodeId: nodeId("n1"),
      address: `127.0.0.1:${1000 + this.#next}`,
      gpuIds: [],
      pid: this.#next,
      deathCause: "",
    };
    this.actors.set(spec.name, info);
    return info;
  }
  get(_namespace: string, name: string): ActorInfo {
    const info = this.actors.get(name);
    if (!info) throw new Error(`no actor ${name}`);
    return info;
  }
  list(): ActorInfo[] {
    return [...this.actors.values()];
  }
  kill(_namespace: string, name: string): ActorInfo {
    const info = this.get(_namespace, name);
    info.state = ActorState.DEAD;
    this.killed.push(name);
    return info;
  }
}

function spec(extra: Partial<DeploymentSpec> = {}): DeploymentSpec {
  return {
    name: "m",
    namespace: "ns",
    replica: {
      name: "",
      namespace: "ns",
      className: "echo",
      initArgs: {},
      resources: { cpus: 1, memoryMb: 1, gpus: 0, custom: {} },
    },
    minReplicas: 1,
    maxReplicas: 4,
    targetOngoingRequests: 2,
    upscaleDelayMs: 1_000,
    downscaleDelayMs: 5_000,
    ...extra,
  };
}

function setup(extra: Partial<DeploymentSpec> = {}) {
  let now = 0;
  const actors = new FakeActors();
  const manager = new DeploymentManager({ actors, now: () => now, tickMs: 3_600_000 });
  manager.apply(spec(extra));
  return {
    actors,
    manager,
    advance(ms: number) {
      now += ms;
      manager.tick();
    },
    count: () => manager.get("ns", "m").targetReplicas,
  };
}

describe("deployment autoscaling", () => {
  it("adds replicas once the load has wanted them for upscaleDelayMs, up to maxReplicas", () => {
    const t = setup();
    assert.equal(t.count(), 1);
    t.manager.report("ns", "m", "h1", 5); // ceil(5/2) = 3
    t.advance(999);
    assert.equal(t.count(), 1, "not before the upscale delay");
    t.advance(1);
    assert.equal(t.count(), 3);
    assert.deepEqual(
      t.manager.get("ns", "m").replicas.map((r) => r.name),
      ["m#0", "m#1", "m#2"],
    );
    t.manager.report("ns", "m", "h1", 50);
    t.manager.report("ns", "m", "h2", 50);
    assert.equal(t.manager.get("ns", "m").ongoingRequests, 100, "reports of two handles add up");
    t.advance(1_000);
    assert.equal(t.count(), 4, "never above maxReplicas");
    t.manager.stop();
  });

  it("drains the newest replicas once idle for downscaleDelayMs, down to minReplicas", () => {
    const t = setup({ upscaleDelayMs: 0 });
    t.manager.report("ns", "m", "h1", 8);
    t.advance(1);
    assert.equal(t.count(), 4);
    t.manager.report("ns", "m", "h1", 0);
    t.advance(4_999);
    assert.equal(t.count(), 4, "not before the downscale delay");
    t.advance(1);
    assert.equal(t.count(), 1);
    assert.deepEqual(t.actors.killed, ["m#3", "m#2", "m#1"]);
    t.manager.stop();
  });

  it("forgets a handle's report after the TTL, so a vanished caller's load does not hold replicas", () => {
    const t = setup({ upscaleDelayMs: 0, downscaleDelayMs: 0 });
    t.manager.report("ns", "m", "gone", 8);
    t.advance(1);
    assert.equal(t.count(), 4);
    t.advance(REPORT_TTL_MS + 1);
    t.advance(1);
    assert.equal(t.count(), 1);
    t.manager.stop();
  });

  it("a request at a deployment scaled to zero gets a replica at once; idle, it goes back to zero", () => {
    const t = setup({ minReplicas: 0, downscaleDelayMs: 100 });
    assert.equal(t.count(), 0);
    assert.equal(t.manager.report("ns", "m", "h1", 1).targetReplicas, 1);
    t.manager.report("ns", "m", "h1", 0);
    t.advance(100);
    assert.equal(t.count(), 0);
    t.manager.stop();
  });

  it("replaces a replica that died for good, under the same name", async () => {
    const t = setup();
    const first = t.actors.get("ns", "m#0").actorId;
    t.actors.get("ns", "m#0").state = ActorState.DEAD;
    t.advance(1);
    await Promise.resolve();
    const again = t.actors.get("ns", "m#0");
    assert.equal(again.state, ActorState.ALIVE);
    assert.notEqual(again.actorId, first);
    t.manager.stop();
  });

  it("a deployment applied again (a restarted head) adopts the surviving replicas", async () => {
    const t = setup({ minReplicas: 2 });
    await Promise.resolve();
    const ids = t.manager.get("ns", "m").replicas.map((r) => r.actorId);
    const restarted = new DeploymentManager({ actors: t.actors, tickMs: 3_600_000 });
    const info = restarted.apply(spec({ minReplicas: 2 }));
    assert.deepEqual(
      info.replicas.map((r) => r.actorId),
      ids,
    );
    restarted.stop();
    t.manager.stop();
  });

  it("refuses a spec whose bounds or target make no sense, with INVALID_ARGUMENT", () => {
    const actors = new FakeActors();
    const manager = new DeploymentManager({ actors, tickMs: 3_600_000 });
    for (const bad of [
      spec({ minReplicas: 3, maxReplicas: 2 }),
      spec({ maxReplicas: 0, minReplicas: 0 }),
      spec({ targetOngoingRequests: 0 }),
      spec({ name: "a#b" }),
    ]) {
      assert.throws(() => manager.apply(bad), { code: "INVALID_ARGUMENT" });
    }
    assert.equal(manager.list().length, 0, "nothing half-made");
    manager.stop();
  });
});
