/**
 * The driver API (Ray's driver side): ask the head for named actors, then call them directly.
 * One client per head; it keeps one long-lived channel to the head and one per actor address
 * (shared by every handle on that address), so concurrent calls multiplex over HTTP/2.
 * Every failure is a ClusterError (UNAVAILABLE when a process cannot be reached, and so on).
 */
import { randomUUID } from "node:crypto";
import type {
  ActorInfo,
  ActorSpec,
  DeploymentInfo,
  DeploymentSpec,
  PlacementGroupInfo,
  PlacementGroupSpec,
} from "@neurogrid/schema";
import { ClusterError } from "../errors.js";
import { unaryCall } from "../grpc/call.js";
import { ClientPool, QUICK_RECONNECT } from "../grpc/client-pool.js";
import {
  actorInfoFromWire,
  actorSpecToWire,
  groupInfoFromWire,
  groupSpecToWire,
} from "../grpc/head-convert.js";
import { clusterServices } from "../grpc/proto.js";
import { ActorChannels } from "./actor-channels.js";
import { GrpcActorHandle } from "./actor-handle.js";
import {
  type ClusterEvent,
  type ClusterEventWithTelemetry,
  nodeInfoFromWire,
  type WatchClusterOptions,
  watchCluster,
} from "./cluster-events.js";
import { DeploymentHandle } from "./deployment-handle.js";
import { DeploymentCalls } from "./deployments.js";
import { type ActorEvent, DriverSessionLink, type WatchActorsOptions, watchActors } from "./head-streams.js";
import { localDriverCredential } from "./local-credential.js";
import type {
  ActorHandle,
  ClusterClientOptions,
  GetActorOptions,
  GetOrCreateOptions,
  KillActorOptions,
  NodeInfo,
  NodeQuarantineInfo,
} from "./types.js";

const HEAD_CALL_TIMEOUT_MS = 10_000;
const GET_OR_CREATE_TIMEOUT_MS = 120_000;
const DEFAULT_MAX_IN_FLIGHT_PER_ACTOR = 256;
const DEFAULT_STREAM_WINDOW = 64;
const DEFAULT_REPORT_INTERVAL_MS = 250;

export interface DeploymentHandleOptions {
  /** How often the handle reports its load to the head (and learns the replicas); 250 ms. */
  reportIntervalMs?: number;
}

export class ClusterClient {
  readonly #headAddress: string;
  readonly #callTimeoutMs: number | undefined;
  readonly #headPool: ClientPool;
  readonly #channels: ActorChannels;
  readonly #head = clusterServices().head;

  constructor(opts: ClusterClientOptions) {
    this.#headAddress = opts.headAddress;
    this.#callTimeoutMs = opts.callTimeoutMs;
    const credential = opts.credential ?? localDriverCredential(opts);
    this.#headPool = new ClientPool(QUICK_RECONNECT, opts.tls, credential);
    this.#channels = new ActorChannels({
      window: opts.maxInFlightPerActor ?? DEFAULT_MAX_IN_FLIGHT_PER_ACTOR,
      streamWindow: opts.streamWindow ?? DEFAULT_STREAM_WINDOW,
      tls: opts.tls,
      credential,
    });
  }

  /** The live actor of that name, created (placed and started) first if there is none. */
  async getOrCreateActor(spec: ActorSpec, opts: GetOrCreateOptions = {}): Promise<ActorHandle> {
    const info = await unaryCall(
      this.#headClient(),
      this.#head.GetOrCreateActor,
      { spec: actorSpecToWire(spec) },
      { timeoutMs: opts.timeoutMs ?? GET_OR_CREATE_TIMEOUT_MS },
    );
    const found = actorInfoFromWire(info);
    return this.#handle(found, spec.maxTaskRetries ?? found.maxTaskRetries ?? 0);
  }

  /**
   * The actor of that name (possibly DEAD: see info.state); NOT_FOUND if there never was one.
   * Its calls are retried as the actor's spec says (info.maxTaskRetries), unless
   * `opts.maxTaskRetries` says otherwise.
   */
  async getActor(namespace: string, name: string, opts: GetActorOptions = {}): Promise<ActorHandle> {
    const info = await this.#lookup(namespace, name);
    return this.#handle(info, opts.maxTaskRetries ?? info.maxTaskRetries ?? 0);
  }

  /**
   * Refuses the node for good: its token no longer registers it, and a live node is DEAD at once
   * (its actors restart elsewhere or die). Resolves with whether it was alive.
   */
  async revokeNode(nodeId: string): Promise<{ wasAlive: boolean }> {
    const reply = await unaryCall(
      this.#headClient(),
      this.#head.RevokeNode,
      { nodeId },
      { timeoutMs: HEAD_CALL_TIMEOUT_MS },
    );
    return { wasAlive: reply.wasAlive };
  }

  /**
   * Quarantines the node (`reason`), or restores it (reason ""): while quarantined it takes no
   * new actors and its actors move elsewhere. Resolves with its quarantine now (undefined: none).
   */
  async setNodeQuarantine(nodeId: string, reason: string): Promise<NodeQuarantineInfo | undefined> {
    const reply = await unaryCall(
      this.#headClient(),
      this.#head.SetNodeQuarantine,
      { nodeId, reason },
      { timeoutMs: HEAD_CALL_TIMEOUT_MS },
    );
    return reply.quarantined ? { reason: reply.reason, sinceMs: Number(reply.sinceMs) } : undefined;
  }

  async listNodes(): Promise<NodeInfo[]> {
    const reply = await unaryCall(
      this.#headClient(),
      this.#head.ListNodes,
      {},
      { timeoutMs: HEAD_CALL_TIMEOUT_MS },
    );
    return reply.nodes.map(nodeInfoFromWire);
  }

  /** Every current actor (the latest of each name, DEAD ones included), of one namespace or all. */
  async listActors(namespace = ""): Promise<ActorInfo[]> {
    const reply = await unaryCall(this.#headClient(), this.#head.ListActors, { namespace }, this.#headCall());
    return reply.actors.map((wire) => this.#learned(actorInfoFromWire(wire)));
  }

  /**
   * Kills the named actor for good (no restart); resolves with it, DEAD. Its process is killed
   * at once (running calls end UNAVAILABLE), or with `graceful` shut down: it refuses new calls
   * and finishes the accepted ones for up to `graceMs` (the worker's default when absent).
   */
  async killActor(namespace: string, name: string, opts: KillActorOptions = {}): Promise<ActorInfo> {
    const request = { namespace, name, graceful: opts.graceful === true, graceMs: opts.graceMs ?? 0 };
    const reply = await unaryCall(this.#headClient(), this.#head.KillActor, request, this.#headCall());
    if (reply.actor === null) throw new ClusterError("INTERNAL", "KillActor: empty reply");
    return this.#learned(actorInfoFromWire(reply.actor));
  }

  /**
   * Reserves a placement group's bundles, all or none (a named group that exists is returned).
   * With `wait` (the default) resolves once every bundle is reserved, or fails with
   * DEADLINE_EXCEEDED after timeoutMs (the group then stays PENDING, see pendingReason);
   * without, resolves at once. Place actors in it with schedulingStrategy PLACEMENT_GROUP.
   */
  async createPlacementGroup(
    spec: PlacementGroupSpec,
    opts: { wait?: boolean; timeoutMs?: number } = {},
  ): Promise<PlacementGroupInfo> {
    const wait = opts.wait ?? true;
    const reply = await unaryCall(
      this.#headClient(),
      this.#head.CreatePlacementGroup,
      groupSpecToWire(spec, wait),
      {
        timeoutMs: opts.timeoutMs ?? (wait ? GET_OR_CREATE_TIMEOUT_MS : HEAD_CALL_TIMEOUT_MS),
      },
    );
    return groupInfoFromWire(reply);
  }

  /** Frees a placement group's bundles (the actors in them are killed); resolves with it, REMOVED. */
  async removePlacementGroup(placementGroupId: string): Promise<PlacementGroupInfo> {
    const reply = await unaryCall(
      this.#headClient(),
      this.#head.RemovePlacementGroup,
      { placementGroupId },
      this.#headCall(),
    );
    return groupInfoFromWire(reply);
  }

  async getPlacementGroup(placementGroupId: string): Promise<PlacementGroupInfo> {
    const reply = await unaryCall(
      this.#headClient(),
      this.#head.GetPlacementGroup,
      { placementGroupId },
      this.#headCall(),
    );
    return groupInfoFromWire(reply);
  }

  async listPlacementGroups(): Promise<PlacementGroupInfo[]> {
    const reply = await unaryCall(this.#headClient(), this.#head.ListPlacementGroups, {}, this.#headCall());
    return reply.placementGroups.map(groupInfoFromWire);
  }

  /**
   * Creates or updates a deployment (replicas of one actor template, autoscaled between its
   * bounds) and returns a handle that routes calls to its replicas (deployment-handle.ts). A
   * handle re-applies the spec it last saw if the head has forgotten it (a head restart).
   */
  async applyDeployment(spec: DeploymentSpec, opts: DeploymentHandleOptions = {}): Promise<DeploymentHandle> {
    return this.#deploymentHandle(await this.#deployments.apply(spec), opts);
  }

  /** A handle on an existing deployment (NOT_FOUND if there is none). */
  async deployment(
    namespace: string,
    name: string,
    opts: DeploymentHandleOptions = {},
  ): Promise<DeploymentHandle> {
    return this.#deploymentHandle(await this.#deployments.get(namespace, name), opts);
  }

  getDeployment(namespace: string, name: string): Promise<DeploymentInfo> {
    return this.#deployments.get(namespace, name);
  }

  listDeployments(): Promise<DeploymentInfo[]> {
    return this.#deployments.list();
  }

  /** Removes a deployment; its replicas finish their accepted calls, then exit. */
  deleteDeployment(namespace: string, name: string): Promise<DeploymentInfo> {
    return this.#deployments.delete(namespace, name);
  }

  readonly #deployments = new DeploymentCalls(() => this.#headClient(), clusterServices().head);

  #deploymentHandle(info: DeploymentInfo, opts: DeploymentHandleOptions): DeploymentHandle {
    const { namespace, name } = info.spec;
    return new DeploymentHandle(info, {
      namespace,
      name,
      report: (handleId, ongoing) => this.#deployments.report(namespace, name, handleId, ongoing),
      apply: (s) => this.#deployments.apply(s),
      replica: (actor) => this.#handle(actor, 0),
      learn: (actor) => this.#channels.epochs.learn(actor.actorId, actor.epoch),
      reportIntervalMs: opts.reportIntervalMs ?? DEFAULT_REPORT_INTERVAL_MS,
      defaultTimeoutMs: this.#callTimeoutMs,
    });
  }

  /** Actor lifecycle events from now on (every transition, with its cause). */
  watchActors(opts: WatchActorsOptions = {}): AsyncIterable<ActorEvent> {
    return watchActors(this.#headClient(), this.#head, opts);
  }

  /**
   * Cluster events from now on: nodes registered, registered again and dead (with their
   * resources and labels), and every actor lifecycle transition, in the head's order. List nodes
   * and actors after it opens for the state so far. Ends when the caller stops iterating or
   * aborts; fails (UNAVAILABLE) when the head goes away.
   */
  watchCluster(opts?: WatchClusterOptions & { telemetry?: false }): AsyncIterable<ClusterEvent>;
  /** With `telemetry: true`, also each node's new GPU telemetry samples (kind "telemetry"). */
  watchCluster(opts: WatchClusterOptions & { telemetry: true }): AsyncIterable<ClusterEventWithTelemetry>;
  watchCluster(opts: WatchClusterOptions = {}): AsyncIterable<ClusterEventWithTelemetry> {
    return watchCluster(this.#headClient(), this.#head, opts);
  }

  /**
   * Opens this client's driver session at the head (once) and returns its id: actors created
   * with `owner: sessionId` (lifetime "owned") die when the session ends, that is when this
   * client is closed or its process dies (after the head's grace period, the heartbeat
   * timeout; a broken session stream is opened again meanwhile).
   */
  async openSession(): Promise<string> {
    this.#session ??= new DriverSessionLink(
      () => this.#headClient(),
      this.#head,
      this.sessionId,
      HEAD_CALL_TIMEOUT_MS,
    );
    try {
      await this.#session.opened;
    } catch (err) {
      this.#session = undefined; // the next call tries again
      throw err;
    }
    return this.sessionId;
  }

  /** This client's driver session id (see openSession). */
  readonly sessionId = randomUUID();
  #session: DriverSessionLink | undefined;

  #headCall() {
    return { timeoutMs: HEAD_CALL_TIMEOUT_MS };
  }

  /** Closes every channel; handles made by this client stop working. */
  close(): void {
    this.#session?.close();
    this.#headPool.closeAll();
    this.#channels.closeAll();
  }

  #headClient() {
    return this.#headPool.get(this.#headAddress);
  }

  async #lookup(namespace: string, name: string): Promise<ActorInfo> {
    const info = await unaryCall(
      this.#headClient(),
      this.#head.GetActor,
      { namespace, name },
      { timeoutMs: HEAD_CALL_TIMEOUT_MS },
    );
    return this.#learned(actorInfoFromWire(info));
  }

  /** Notes the actor's epoch (answers from older incarnations are refused from now on). */
  #learned(info: ActorInfo): ActorInfo {
    this.#channels.epochs.learn(info.actorId, info.epoch);
    return info;
  }

  #handle(info: ActorInfo, maxTaskRetries: number): ActorHandle {
    return new GrpcActorHandle(info, {
      channels: this.#channels,
      defaultTimeoutMs: this.#callTimeoutMs,
      maxTaskRetries,
      lookup: (namespace, name) => this.#lookup(namespace, name),
    });
  }
}
