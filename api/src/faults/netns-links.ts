import { execFile } from "node:child_process";
import { randomBytes } from "node:crypto";
import { promisify } from "node:util";

const run = promisify(execFile);

/**
 * A real network between the head and each worker, made by the fault run and removed when it
 * ends: one network namespace per worker, joined to the run's own namespace (where the head,
 * the api and the dispatcher run) by a veth pair with a /30 of its own, routed to the head's
 * address, which sits on a veth pair of its own in the run's namespace (a stand-in for a dummy
 * interface, which not every kernel has), so cutting one worker's link never touches it. A worker runs inside its
 * namespace (`ip netns exec`, which keeps the PID) and binds its namespace's address, so the
 * head's calls to it and the dispatcher's calls to its actors cross the veth as they would
 * cross a wire; a partition takes the link down (both ways, every connection) and a heal brings
 * it up again, while TCP retransmits what was in flight.
 *
 * Needs root and iproute2 (`ip`); `available()` says whether this machine has them, and the run
 * falls back to its TCP link proxies otherwise (link-proxy.ts), saying so in its report.
 */
export interface NetnsLink {
  /** Runs a command inside the worker's namespace: put before the command line. */
  prefix: string[];
  /** The worker's address inside its namespace (it binds this). */
  workerHost: string;
  cut(): Promise<void>;
  heal(): Promise<void>;
}

/** Addresses: 10.213.<worker index>.0/30, .1 the run's side, .2 the worker's; the head .255.1. */
const SUBNET = "10.213";
/** The address the head binds, reached by every worker through its own link. */
export const NETNS_HEAD_HOST = `${SUBNET}.255.1`;
/** Linux limits interface names to 15 characters. */
const NAME_TAG_BYTES = 3;

export async function netnsAvailable(): Promise<boolean> {
  if (process.getuid?.() !== 0) return false;
  try {
    await run("ip", ["netns", "list"]);
    return true;
  } catch {
    return false;
  }
}

export class NetnsLinks {
  readonly #tag = randomBytes(NAME_TAG_BYTES).toString("hex");
  readonly #links = new Map<string, NetnsLink>();
  readonly #namespaces: string[] = [];
  readonly #outsides: string[] = [];
  #anchor: string | undefined;

  /**
   * Makes the head's address, and a namespace and a veth pair for each worker; undoes what it
   * made if a step fails.
   */
  static async create(nodeIds: string[]): Promise<NetnsLinks> {
    const links = new NetnsLinks();
    try {
      const anchor = `ngf${links.#tag}a`;
      await run("ip", ["link", "add", anchor, "type", "veth", "peer", "name", `ngf${links.#tag}b`]);
      links.#anchor = anchor;
      await run("ip", ["addr", "add", `${NETNS_HEAD_HOST}/32`, "dev", anchor]);
      await run("ip", ["link", "set", `ngf${links.#tag}b`, "up"]);
      await run("ip", ["link", "set", anchor, "up"]);
      for (const [i, nodeId] of nodeIds.entries()) links.#links.set(nodeId, await links.#make(i));
    } catch (err) {
      await links.remove();
      throw err;
    }
    return links;
  }

  get(nodeId: string): NetnsLink {
    const link = this.#links.get(nodeId);
    if (!link) throw new Error(`no network namespace for worker ${nodeId}`);
    return link;
  }

  /** Deletes every namespace made (which deletes its veth pair, both ends) and the head's address. */
  async remove(): Promise<void> {
    // A namespace outlives its deletion while sockets of it linger: delete the veths first.
    for (const outside of this.#outsides.splice(0)) await run("ip", ["link", "del", outside]).catch(() => {});
    for (const ns of this.#namespaces.splice(0)) await run("ip", ["netns", "del", ns]).catch(() => {});
    const anchor = this.#anchor;
    this.#anchor = undefined;
    if (anchor) await run("ip", ["link", "del", anchor]).catch(() => {});
  }

  async #make(i: number): Promise<NetnsLink> {
    const ns = `ngf-${this.#tag}-${i}`;
    const outside = `ngf${this.#tag}h${i}`;
    const inside = `ngf${this.#tag}w${i}`;
    const headHost = `${SUBNET}.${i}.1`;
    const workerHost = `${SUBNET}.${i}.2`;
    await run("ip", ["netns", "add", ns]);
    this.#namespaces.push(ns);
    const steps: string[][] = [
      ["link", "add", outside, "type", "veth", "peer", "name", inside],
      ["link", "set", inside, "netns", ns],
      ["addr", "add", `${headHost}/30`, "dev", outside],
      ["link", "set", outside, "up"],
      ["-n", ns, "addr", "add", `${workerHost}/30`, "dev", inside],
      ["-n", ns, "link", "set", inside, "up"],
      ["-n", ns, "link", "set", "lo", "up"],
      ["-n", ns, "route", "add", `${NETNS_HEAD_HOST}/32`, "via", headHost],
    ];
    await run("ip", steps[0] ?? []);
    this.#outsides.push(outside);
    for (const step of steps.slice(1)) await run("ip", step);
    return {
      prefix: ["ip", "netns", "exec", ns],
      workerHost,
      // From the run's side: the worker's end loses its carrier, so nothing passes either way.
      cut: async () => void (await run("ip", ["link", "set", outside, "down"])),
      heal: async () => {
        await run("ip", ["link", "set", outside, "up"]);
        // The worker's route to the head, in case its end took it down with the carrier.
        await run("ip", ["-n", ns, "route", "replace", `${NETNS_HEAD_HOST}/32`, "via", headHost]);
      },
    };
  }
}
