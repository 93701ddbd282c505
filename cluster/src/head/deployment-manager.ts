/**
 * Deployments, after Ray Serve's controller: a deployment is a named set of replica actors made
 * from one template (detached, replica k named "<deployment>#<k>"), kept between minReplicas and
 * maxReplicas by an autoscaler that reads the load its callers report.
 *
 *   ApplyDeployment ──▶ replicas created up to initialReplicas (else minReplicas); an update
 *                       keeps the replicas made so far and clamps them to the new bounds at once
 *   ReportDeploymentLoad(handle, ongoing) ──▶ the handle's latest report (stale after
 *                       REPORT_TTL_MS); the reply lists the replicas to route to
 *   tick (every tickMs) ──▶ ongoing = Σ fresh reports
 *                           wanted = clamp(ceil(ongoing / targetOngoingRequests), min, max),
 *                                    at least 1 while anything is ongoing
 *                           wanted > current for upscaleDelayMs   ──▶ add replicas
 *                           wanted < current for downscaleDelayMs ──▶ drain the newest ones
 *                           a replica that is DEAD (restarts spent) ──▶ created again
 *   a request waiting at a deployment with no replica (scaled to zero) adds one at once.
 *
 * Scaling down drains: the replica leaves the routing list first (callers learn it from their
 * next report, and a call it refuses is retried on another replica), then it is killed
 * gracefully: it refuses new calls and finishes the accepted ones for up to drainGraceMs.
 *
 * Replicas are ordinary named actors, so the actor manager restarts them and the head's
 * storage keeps them. The deployment specs themselves live in this table only: after a head
 * restart the first caller whose handle holds the spec applies it again (its NOT_FOUND), and
 * applying adopts the replicas that survived (same names) instead of creating new ones.
 */
import { type ActorInfo, ActorState, type DeploymentInfo, type DeploymentSpec } from "@neurogrid/schema";
import { ClusterError } from "../errors.js";
import type { LogFn } from "../logging/logger.js";
import { validateSpec } from "./actor-spec.js";

/** What the deployment manager needs of the actor manager. */
export interface ReplicaActors {
  getOrCreate(spec: DeploymentSpec["replica"]): Promise<ActorInfo>;
  get(namespace: string, name: string): ActorInfo;
  list(namespace?: string): ActorInfo[];
  kill(namespace: string, name: string, kill?: { graceful?: boolean; graceMs?: number }): ActorInfo;
}

export interface DeploymentManagerOptions {
  actors: ReplicaActors;
  /** How often the autoscaler looks at each deployment; 100 ms by default. */
  tickMs?: number;
  now?: () => number;
  log?: LogFn;
}

/** A caller's report counts for this long (handles report several times a second). */
export const REPORT_TTL_MS = 2_000;
const DEFAULT_DRAIN_GRACE_MS = 30_000;

interface Entry {
  spec: DeploymentSpec;
  /** Replica names in creation order (drained ones removed). */
  replicas: string[];
  nextIndex: number;
  reports: Map<string, { ongoing: number; at: number }>;
  /** Since when the autoscaler has wanted a different count, and which way. */
  pending: { up: boolean; since: number } | undefined;
}

export class DeploymentManager {
  readonly #entries = new Map<string, Entry>();
  readonly #actors: ReplicaActors;
  readonly #now: () => number;
  readonly #log: LogFn;
  readonly #timer: NodeJS.Timeout;

  constructor(options: DeploymentManagerOptions) {
    this.#actors = options.actors;
    this.#now = options.now ?? Date.now;
    this.#log = options.log ?? (() => {});
    this.#timer = setInterval(() => this.tick(), options.tickMs ?? 100);
    this.#timer.unref();
  }

  stop(): void {
    clearInterval(this.#timer);
  }

  apply(spec: DeploymentSpec): DeploymentInfo {
    validateDeployment(spec);
    const key = deploymentKey(spec.namespace, spec.name);
    let entry = this.#entries.get(key);
    if (entry) {
      entry.spec = spec;
      const current = entry.replicas.length;
      const clamped = Math.min(spec.maxReplicas, Math.max(spec.minReplicas, current));
      if (clamped !== current) this.#scaleTo(entry, clamped, "the spec's bounds changed");
    } else {
      entry = { spec, replicas: [], nextIndex: 0, reports: new Map(), pending: undefined };
      this.#adopt(entry);
      this.#entries.set(key, entry);
      const initial = Math.min(
        spec.maxReplicas,
        Math.max(spec.minReplicas, spec.initialReplicas ?? spec.minReplicas, entry.replicas.length),
      );
      this.#scaleTo(entry, initial, "created");
    }
    return this.#info(entry);
  }

  get(namespace: string, name: string): DeploymentInfo {
    return this.#info(this.#must(namespace, name));
  }

  list(): DeploymentInfo[] {
    return [...this.#entries.values()].map((entry) => this.#info(entry));
  }

  /** A handle's load; a request waiting at an empty deployment gets a replica at once. */
  report(namespace: string, name: string, handleId: string, ongoing: number): DeploymentInfo {
    const entry = this.#must(namespace, name);
    if (handleId !== "") entry.reports.set(handleId, { ongoing, at: this.#now() });
    if (ongoing > 0 && entry.replicas.length === 0 && entry.spec.maxReplicas > 0) {
      this.#scaleTo(entry, Math.max(1, this.#wanted(entry)), "a request arrived with no replica");
    }
    this.#autoscale(entry); // the delays count from the report that changed what is wanted
    return this.#info(entry);
  }

  delete(namespace: string, name: string): DeploymentInfo {
    const entry = this.#must(namespace, name);
    const info = this.#info(entry);
    this.#scaleTo(entry, 0, "deployment deleted");
    this.#entries.delete(deploymentKey(namespace, name));
    return info;
  }

  /** One autoscaling pass over every deployment (the timer calls it; tests may too). */
  tick(): void {
    for (const entry of this.#entries.values()) {
      try {
        this.#heal(entry);
        this.#autoscale(entry);
      } catch (err) {
        this.#log(`deployment ${entry.spec.name}: ${(err as Error).message}`);
      }
    }
  }

  #autoscale(entry: Entry): void {
    const wanted = this.#wanted(entry);
    const current = entry.replicas.length;
    if (wanted === current) {
      entry.pending = undefined;
      return;
    }
    const up = wanted > current;
    const now = this.#now();
    if (entry.pending === undefined || entry.pending.up !== up) {
      entry.pending = { up, since: now };
    }
    const delay = up ? entry.spec.upscaleDelayMs : entry.spec.downscaleDelayMs;
    if (now - entry.pending.since >= delay) {
      const ongoing = this.#ongoing(entry);
      this.#scaleTo(entry, wanted, `${ongoing} ongoing requests, ${current} replicas`);
      entry.pending = undefined;
    }
  }

  /** Replicas whose restarts are spent (DEAD) are made again under the same name. */
  #heal(entry: Entry): void {
    for (const name of entry.replicas) {
      let state: ActorState | undefined;
      try {
        state = this.#actors.get(entry.spec.namespace, name).state;
      } catch {
        state = undefined;
      }
      if (state === undefined || state === ActorState.DEAD) this.#create(entry, name);
    }
  }

  #ongoing(entry: Entry): number {
    const fresh = this.#now() - REPORT_TTL_MS;
    let sum = 0;
    for (const [handleId, report] of entry.reports) {
      if (report.at < fresh) entry.reports.delete(handleId);
      else sum += report.ongoing;
    }
    return sum;
  }

  #wanted(entry: Entry): number {
    const { minReplicas, maxReplicas, targetOngoingRequests } = entry.spec;
    const ongoing = this.#ongoing(entry);
    let wanted = Math.ceil(ongoing / targetOngoingRequests);
    if (ongoing > 0) wanted = Math.max(1, wanted);
    return Math.min(maxReplicas, Math.max(minReplicas, wanted));
  }

  #scaleTo(entry: Entry, count: number, why: string): void {
    const { spec } = entry;
    const before = entry.replicas.length;
    while (entry.replicas.length < count) {
      const name = `${spec.name}#${entry.nextIndex++}`;
      entry.replicas.push(name);
      this.#create(entry, name);
    }
    while (entry.replicas.length > count) {
      const name = entry.replicas.pop() as string;
      try {
        this.#actors.kill(spec.namespace, name, {
          graceful: true,
          graceMs: spec.drainGraceMs ?? DEFAULT_DRAIN_GRACE_MS,
        });
      } catch (err) {
        this.#log(`deployment ${spec.name}: cannot drain ${name}: ${(err as Error).message}`);
      }
    }
    if (before !== count) this.#log(`deployment ${spec.name}: ${before} -> ${count} replicas (${why})`);
  }

  #create(entry: Entry, name: string): void {
    const replica = {
      ...entry.spec.replica,
      name,
      namespace: entry.spec.namespace,
      lifetime: "detached" as const,
    };
    delete replica.owner;
    // Placement may wait for a node; the replica routes once ALIVE. Failures are logged and the
    // next tick tries again (#heal).
    this.#actors.getOrCreate(replica).catch((err: unknown) => {
      this.#log(`deployment ${entry.spec.name}: replica ${name}: ${(err as Error).message}`);
    });
  }

  /** Replicas of this deployment that outlived a head restart (or an earlier delete's drain). */
  #adopt(entry: Entry): void {
    const pattern = new RegExp(`^${escapeRegExp(entry.spec.name)}#(\\d+)$`);
    const found = this.#actors
      .list(entry.spec.namespace)
      .filter((a) => a.state !== ActorState.DEAD)
      .map((a) => ({ name: a.name, index: Number(pattern.exec(a.name)?.[1] ?? -1) }))
      .filter((a) => a.index >= 0)
      .sort((a, b) => a.index - b.index);
    entry.replicas = found.map((a) => a.name);
    entry.nextIndex = found.length === 0 ? 0 : (found.at(-1)?.index ?? 0) + 1;
    // An adopted deployment keeps what it found, within its bounds.
    if (entry.replicas.length > entry.spec.maxReplicas)
      this.#scaleTo(entry, entry.spec.maxReplicas, "adopted");
  }

  #info(entry: Entry): DeploymentInfo {
    const replicas: ActorInfo[] = [];
    for (const name of entry.replicas) {
      try {
        replicas.push(this.#actors.get(entry.spec.namespace, name));
      } catch {
        // not created yet
      }
    }
    return {
      spec: entry.spec,
      replicas,
      targetReplicas: entry.replicas.length,
      ongoingRequests: this.#ongoing(entry),
    };
  }

  #must(namespace: string, name: string): Entry {
    const entry = this.#entries.get(deploymentKey(namespace, name));
    if (!entry) throw new ClusterError("NOT_FOUND", `no deployment ${namespace}/${name}`);
    return entry;
  }
}

function validateDeployment(spec: DeploymentSpec): void {
  const bad = (why: string) => new ClusterError("INVALID_ARGUMENT", `deployment ${spec.name}: ${why}`);
  if (spec.name === "" || spec.name.includes("#")) throw bad("name must be non-empty, without '#'");
  const ints = ["minReplicas", "maxReplicas", "upscaleDelayMs", "downscaleDelayMs"] as const;
  for (const field of ints) {
    if (!Number.isInteger(spec[field]) || spec[field] < 0) throw bad(`${field} must be a whole number >= 0`);
  }
  if (spec.maxReplicas < 1) throw bad("maxReplicas must be at least 1");
  if (spec.minReplicas > spec.maxReplicas)
    throw bad(`minReplicas ${spec.minReplicas} is above maxReplicas ${spec.maxReplicas}`);
  if (!(spec.targetOngoingRequests > 0)) throw bad("targetOngoingRequests must be above 0");
  if (spec.replica.lifetime === "owned") throw bad("replicas are detached; an owned template is refused");
  validateSpec({ ...spec.replica, name: `${spec.name}#0`, lifetime: "detached", owner: "" });
}

function deploymentKey(namespace: string, name: string): string {
  return `${namespace}\u0000${name}`;
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}
