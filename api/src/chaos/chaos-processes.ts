import { mintCredential } from "@neurogrid/cluster";
import { type Child, freePort, startNodeChild } from "../cli/child-process.js";

/**
 * The processes of a chaos run, each a real child started through the `neurogrid` CLI: a head,
 * workers (nodes with fixed ids), one api that also dispatches (as `neurogrid api` does by
 * default: tasks it accepts may start in it at once, tasks/local-start.ts) and one
 * `neurogrid dispatcher`.
 * Any of them can be killed with SIGKILL (no chance to clean up) and started again: the api on
 * the same port (clients keep their URL, as behind a load balancer), a worker with the same node
 * id, the head on the same port (with Redis table storage in headArgs, it adopts what is alive). Every process is stopped by its PID; their output is kept (last lines) for diagnosis.
 */
export type Victim = "worker" | "dispatcher" | "api";

export interface ChaosProcessSettings {
  /** The `neurogrid` CLI entry (api/dist/cli/main.js). */
  cli: string;
  /** The environment children start from (PATH and the like); ours is laid over it. */
  baseEnv: NodeJS.ProcessEnv;
  databaseUrl: string;
  redisUrl: string;
  redisPrefix: string;
  jwtSecret: string;
  nodeIds: string[];
  jobLockMs: number;
  heartbeatTimeoutMs: number;
  taskAttempts: number;
  taskTimeoutMs: number;
  dispatcherConcurrency?: number;
  /** The head's port (a free one when unset): a head started again comes back on it. */
  headPort?: number;
  /** More arguments for the head (e.g. its Redis table storage, so a restarted head adopts). */
  headArgs?: string[];
  /** The head address the api and the dispatcher dial, when not the head's own (a proxy). */
  clientHeadAddress?: string;
  /** The head address a worker dials (by node id), when not the head's own (a proxy). */
  workerHeadAddress?: Record<string, string>;
  /**
   * Where a worker runs (by node id), when not beside the head: a command line it runs under
   * (`ip netns exec NS`) and the address it binds there. Off loopback, it and the head run
   * plain text authenticated by the cluster secret (--insecure with --cluster-secret).
   */
  workerPlacement?: Record<string, { prefix: string[]; host: string }>;
  /**
   * The cluster's secret, given to the head and the workers (the api and the dispatcher get a
   * driver credential minted from it), as `neurogrid up` does; when unset, each finds the
   * head's local secret by the head's port, which a proxy in between does not have.
   */
  clusterSecret?: string;
  /** Every line the children print, when set (verbose runs). */
  echo?: (name: string, line: string) => void;
}

const KEEP_LINES = 60;
const LISTENING = /listening on (\S+)/;

export class ChaosProcesses {
  #head: Child | undefined;
  #headPort = 0;
  #headAddressValue = "";
  readonly #workers = new Map<string, Child>();
  #api: Child | undefined;
  #apiPort = 0;
  #dispatcher: Child | undefined;
  readonly #output = new Map<string, string[]>();
  readonly #s: ChaosProcessSettings;

  constructor(s: ChaosProcessSettings) {
    this.#s = s;
  }

  get headAddress(): string {
    return this.#headAddressValue;
  }

  get apiUrl(): string {
    return `http://127.0.0.1:${this.#apiPort}/graphql`;
  }

  async start(): Promise<void> {
    this.#headPort = this.#s.headPort ?? (await freePort());
    await this.startHead();
    await Promise.all(this.#s.nodeIds.map((id) => this.startWorker(id)));
    this.#apiPort = await freePort();
    await Promise.all([this.startApi(), this.startDispatcher()]);
  }

  /** The head, on its port (the same one when it is started again). */
  async startHead(): Promise<void> {
    const port = String(this.#headPort);
    const args = ["head", "--port", port, "--heartbeat-timeout-ms", String(this.#s.heartbeatTimeoutMs)];
    const head = await this.#spawn(
      "head",
      [...args, ...this.#secretArgs(), ...(this.#s.headArgs ?? [])],
      LISTENING,
    );
    this.#head = head.child;
    this.#headAddressValue = head.match[1] ?? `127.0.0.1:${port}`;
  }

  async startWorker(nodeId: string): Promise<void> {
    const head = this.#s.workerHeadAddress?.[nodeId] ?? this.#headAddressValue;
    const args = ["worker", "--head", head, "--node-id", nodeId, "--port", "0"];
    // One prestarted actor process, and short stop graces: a small machine, a quick teardown.
    args.push("--actor-pool-size", "1", "--stop-grace-ms", "1000", "--kill-grace-ms", "1000");
    args.push(...this.#secretArgs());
    const placement = this.#s.workerPlacement?.[nodeId];
    if (placement) args.push("--host", placement.host, "--insecure");
    this.#workers.set(
      nodeId,
      (await this.#spawn(nodeId, args, /registered/, undefined, placement?.prefix)).child,
    );
  }

  async startApi(): Promise<void> {
    const args = ["api", "--port", String(this.#apiPort)];
    this.#api = (await this.#spawn("api", args, LISTENING, this.#apiEnv())).child;
  }

  async startDispatcher(): Promise<void> {
    this.#dispatcher = (
      await this.#spawn("dispatcher", ["dispatcher"], /dispatcher running/, this.#apiEnv())
    ).child;
  }

  /** kill -9 (a worker is named by its node id), and wait until the process is gone; its PID. */
  async kill(victim: Victim | "head", nodeId = ""): Promise<number | undefined> {
    const proc = this.#child(victim, nodeId).process;
    if (proc.exitCode === null && proc.signalCode === null) {
      const exited = new Promise((resolve) => proc.once("exit", resolve));
      proc.kill("SIGKILL");
      await exited;
    }
    return proc.pid;
  }

  /** The PID of a running process (a worker is named by its node id). */
  pid(victim: Victim | "head", nodeId = ""): number | undefined {
    return this.#child(victim, nodeId).process.pid;
  }

  #child(victim: Victim | "head", nodeId: string): Child {
    const child =
      victim === "worker"
        ? this.#workers.get(nodeId)
        : victim === "head"
          ? this.#head
          : victim === "api"
            ? this.#api
            : this.#dispatcher;
    if (!child) throw new Error(`no ${victim} ${nodeId}`);
    return child;
  }

  /** The last lines a process printed (all processes of that name, restarts included). */
  tail(name: string): string {
    return (this.#output.get(name) ?? []).join("\n");
  }

  /** Stops everything (SIGTERM, then SIGKILL after a grace), clients before the cluster. */
  async stopAll(): Promise<void> {
    const first = [this.#api, this.#dispatcher].filter((c): c is Child => c !== undefined);
    await Promise.all(first.map((c) => c.stop()));
    await Promise.all([...this.#workers.values()].map((c) => c.stop()));
    await this.#head?.stop();
  }

  #secretArgs(): string[] {
    return this.#s.clusterSecret ? ["--cluster-secret", this.#s.clusterSecret] : [];
  }

  #apiEnv(): NodeJS.ProcessEnv {
    return {
      ...this.#s.baseEnv,
      DATABASE_URL: this.#s.databaseUrl,
      REDIS_URL: this.#s.redisUrl,
      NEUROGRID_REDIS_PREFIX: this.#s.redisPrefix,
      NEUROGRID_HEAD_ADDRESS: this.#s.clientHeadAddress ?? this.#headAddressValue,
      ...(this.#s.clusterSecret
        ? { NEUROGRID_CLUSTER_CREDENTIAL: mintCredential(this.#s.clusterSecret, { role: "driver" }) }
        : {}),
      NEUROGRID_JWT_SECRET: this.#s.jwtSecret,
      NEUROGRID_JOB_LOCK_MS: String(this.#s.jobLockMs),
      NEUROGRID_TASK_ATTEMPTS: String(this.#s.taskAttempts),
      NEUROGRID_TASK_TIMEOUT_MS: String(this.#s.taskTimeoutMs),
      ...(this.#s.dispatcherConcurrency
        ? { NEUROGRID_DISPATCHER_CONCURRENCY: String(this.#s.dispatcherConcurrency) }
        : {}),
      // The run measures crashes, not the rate limit: clients still honour RATE_LIMITED.
      NEUROGRID_RATE_LIMIT_PER_SECOND: "5000",
      NEUROGRID_RATE_LIMIT_BURST: "5000",
    };
  }

  #spawn(
    name: string,
    args: string[],
    ready: RegExp,
    env: NodeJS.ProcessEnv = this.#s.baseEnv,
    prefix?: string[],
  ) {
    return startNodeChild({
      name,
      prefix,
      script: this.#s.cli,
      args,
      ready,
      env,
      timeoutMs: 60_000,
      onLine: (n, line) => {
        const lines = this.#output.get(n) ?? [];
        lines.push(line);
        if (lines.length > KEEP_LINES) lines.shift();
        this.#output.set(n, lines);
        this.#s.echo?.(n, line);
      },
    });
  }
}
