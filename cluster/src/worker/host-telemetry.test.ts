/**
 * Host figures (host-telemetry.ts): CPU busy share and network rates between two samples,
 * loopback left out, memory; and on this machine, figures that agree with the OS.
 */
import assert from "node:assert/strict";
import { totalmem } from "node:os";
import { describe, it } from "node:test";
import { type HostReaders, HostSampler, parseNetDev } from "./host-telemetry.js";

const NET_DEV = (
  lo: number,
  eth: [number, number],
) => `Inter-|   Receive                                                |  Transmit
 face |bytes    packets errs drop fifo frame compressed multicast|bytes    packets errs drop fifo colls carrier compressed
    lo: ${lo} 10 0 0 0 0 0 0 ${lo} 10 0 0 0 0 0 0
  eth0: ${eth[0]} 20 0 0 0 0 0 0 ${eth[1]} 30 0 0 0 0 0 0
`;

describe("host telemetry", () => {
  it("sums every interface but loopback", () => {
    assert.deepEqual(parseNetDev(NET_DEV(999_999, [1_000, 2_000])), { rxBytes: 1_000, txBytes: 2_000 });
  });

  it("gives CPU busy share and network rates since the previous sample, memory always", () => {
    let now = 10_000;
    let cpu: [number, number][] = [
      [100, 1_000],
      [300, 1_000],
    ];
    let net = NET_DEV(5, [1_000, 4_000]);
    const readers: HostReaders = {
      nowMs: () => now,
      cpuTimes: () => cpu,
      loadAverage: () => 1.5,
      memory: () => ({ totalBytes: 8 * 1024 ** 3, freeBytes: 2 * 1024 ** 3 }),
      netDev: () => net,
    };
    const sampler = new HostSampler(readers);
    assert.deepEqual(sampler.sample(), {
      cpuCores: 2,
      memoryUsedMb: 6144,
      memoryTotalMb: 8192,
      loadAverage: 1.5,
    });
    now += 2_000;
    cpu = [
      [400, 2_000],
      [300, 2_000],
    ];
    net = NET_DEV(1_000_000, [3_000, 10_000]);
    const second = sampler.sample();
    assert.equal(second.cpuUtilizationPct, 15); // 300 busy ms of 2,000 across both cores
    assert.equal(second.netRxBytesPerS, 1_000);
    assert.equal(second.netTxBytesPerS, 3_000);
  });

  it("on this machine: its memory, a CPU share within 0..100", () => {
    const sampler = new HostSampler();
    sampler.sample();
    let spin = 0;
    for (let i = 0; i < 2_000_000; i++) spin += i;
    const sample = sampler.sample();
    assert.ok(spin > 0);
    assert.equal(sample.memoryTotalMb, totalmem() / 1024 / 1024);
    assert.ok(sample.memoryUsedMb > 0 && sample.memoryUsedMb <= sample.memoryTotalMb);
    if (sample.cpuUtilizationPct !== undefined)
      assert.ok(
        sample.cpuUtilizationPct >= 0 && sample.cpuUtilizationPct <= 100,
        String(sample.cpuUtilizationPct),
      );
  });
});
