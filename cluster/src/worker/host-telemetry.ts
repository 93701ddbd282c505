/**
 * The host's CPU, memory and network figures, sampled with each GPU telemetry poll
 * (telemetry-poller.ts) and sent with the heartbeats beside the GPUs'. CPU busy share and network
 * rates are deltas between two samples, so the first sample has neither. Network counters come
 * from /proc/net/dev (Linux; elsewhere the figures are absent), loopback left out.
 */
import { readFileSync } from "node:fs";
import { cpus, freemem, loadavg, platform, totalmem } from "node:os";
import type { HostSample } from "@neurogrid/schema";

const MIB = 1024 * 1024;
const MS_PER_S = 1_000;

/** What the sampler reads; the OS's by default, stand-ins in tests. */
export interface HostReaders {
  nowMs: () => number;
  /** Per core: [busy, total] CPU time, ms, since boot. */
  cpuTimes: () => [number, number][];
  loadAverage: () => number | undefined;
  memory: () => { totalBytes: number; freeBytes: number };
  /** /proc/net/dev's text; undefined where there is none. */
  netDev: () => string | undefined;
}

const osHostReaders: HostReaders = {
  nowMs: () => Date.now(),
  cpuTimes: () =>
    cpus().map(({ times }) => {
      const total = times.user + times.nice + times.sys + times.idle + times.irq;
      return [total - times.idle, total];
    }),
  // Windows has no load average (os.loadavg() gives zeros there).
  loadAverage: () => (platform() === "win32" ? undefined : loadavg()[0]),
  memory: () => ({ totalBytes: totalmem(), freeBytes: freemem() }),
  netDev: () => {
    try {
      return readFileSync("/proc/net/dev", "utf8");
    } catch {
      return undefined;
    }
  },
};

/** Received and sent bytes since boot over every interface but loopback (/proc/net/dev). */
export function parseNetDev(text: string): { rxBytes: number; txBytes: number } {
  let rxBytes = 0;
  let txBytes = 0;
  for (const line of text.split("\n").slice(2)) {
    const colon = line.indexOf(":");
    if (colon < 0) continue;
    if (line.slice(0, colon).trim() === "lo") continue;
    const fields = line
      .slice(colon + 1)
      .trim()
      .split(/\s+/)
      .map(Number);
    // Receive: bytes packets errs drop fifo frame compressed multicast; then transmit: bytes ...
    rxBytes += fields[0] ?? 0;
    txBytes += fields[8] ?? 0;
  }
  return { rxBytes, txBytes };
}

interface Counters {
  atMs: number;
  busyMs: number;
  totalMs: number;
  net?: { rxBytes: number; txBytes: number } | undefined;
}

/** Takes host samples; each one's rates cover the time since the previous one. */
export class HostSampler {
  readonly #read: HostReaders;
  #previous: Counters | undefined;

  constructor(readers: HostReaders = osHostReaders) {
    this.#read = readers;
  }

  sample(): HostSample {
    const times = this.#read.cpuTimes();
    const netText = this.#read.netDev();
    const now: Counters = {
      atMs: this.#read.nowMs(),
      busyMs: times.reduce((sum, [busy]) => sum + busy, 0),
      totalMs: times.reduce((sum, [, total]) => sum + total, 0),
      net: netText === undefined ? undefined : parseNetDev(netText),
    };
    const { totalBytes, freeBytes } = this.#read.memory();
    const out: HostSample = {
      cpuCores: times.length,
      memoryUsedMb: (totalBytes - freeBytes) / MIB,
      memoryTotalMb: totalBytes / MIB,
    };
    const load = this.#read.loadAverage();
    if (load !== undefined) out.loadAverage = load;
    const before = this.#previous;
    this.#previous = now;
    if (before === undefined) return out;
    const cpuSpan = now.totalMs - before.totalMs;
    if (cpuSpan > 0) out.cpuUtilizationPct = (100 * (now.busyMs - before.busyMs)) / cpuSpan;
    const seconds = (now.atMs - before.atMs) / MS_PER_S;
    if (now.net !== undefined && before.net !== undefined && seconds > 0) {
      // A counter that went back (an interface went away) gives no rate rather than a negative one.
      const rx = now.net.rxBytes - before.net.rxBytes;
      const tx = now.net.txBytes - before.net.txBytes;
      if (rx >= 0) out.netRxBytesPerS = rx / seconds;
      if (tx >= 0) out.netTxBytesPerS = tx / seconds;
    }
    return out;
  }
}
