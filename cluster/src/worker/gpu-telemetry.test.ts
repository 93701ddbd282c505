import assert from "node:assert/strict";
import { readFile } from "node:fs/promises";
import { describe, it } from "node:test";
import { parseTelemetryCsv, TELEMETRY_ARGS } from "./gpu-telemetry.js";
import { TelemetryPoller } from "./telemetry-poller.js";
import { nvidiaSmiSource, parseReplay, replaySource } from "./telemetry-sources.js";

const RECORDING = new URL("../../telemetry/two-gpus-heat-cycle.csv", import.meta.url);

describe("parseTelemetryCsv", () => {
  it("reads every field, names with commas included", () => {
    const gpus = parseTelemetryCsv(
      "1, GPU-b, NVIDIA A100, PCIe, 40GB, 71, 99, 30000, 40960, 251.37, 300.00, 1410, 1215\n" +
        "0, GPU-a, Tesla T4, 40, 3, 100, 15360, 27.5, 70.00, 585, 5000\n",
    );
    assert.deepEqual(gpus, [
      {
        index: 0,
        uuid: "GPU-a",
        name: "Tesla T4",
        temperatureC: 40,
        utilizationPct: 3,
        memoryUsedMb: 100,
        memoryTotalMb: 15360,
        powerDrawW: 27.5,
        powerLimitW: 70,
        smClockMhz: 585,
        memClockMhz: 5000,
      },
      {
        index: 1,
        uuid: "GPU-b",
        name: "NVIDIA A100, PCIe, 40GB",
        temperatureC: 71,
        utilizationPct: 99,
        memoryUsedMb: 30000,
        memoryTotalMb: 40960,
        powerDrawW: 251.37,
        powerLimitW: 300,
        smClockMhz: 1410,
        memClockMhz: 1215,
      },
    ]);
  });

  it("leaves out what the GPU does not report ([N/A], N/A, [Not Supported], blank)", () => {
    const [gpu] = parseTelemetryCsv(
      "0, [N/A], GeForce GT 710, 38, [N/A], 120, 2048, N/A, [Not Supported], , 900\n",
    );
    assert.deepEqual(gpu, {
      index: 0,
      uuid: "",
      name: "GeForce GT 710",
      temperatureC: 38,
      memoryUsedMb: 120,
      memoryTotalMb: 2048,
      memClockMhz: 900,
    });
  });

  it("skips blank lines, warnings, and cut-off lines (a GPU that vanished mid-poll)", () => {
    const text = [
      "",
      "WARNING: infoROM is corrupted at gpu 0000:3B:00.0",
      "0, GPU-a, Tesla T4, 40, 3, 100, 15360, 27.5, 70.00, 585, 5000",
      "   ",
      "1, GPU-b, Tesla T4, 41",
      "Unable to determine the device handle for GPU 0000:5E:00.0: GPU is lost.",
      "",
    ].join("\r\n");
    assert.deepEqual(
      parseTelemetryCsv(text).map((g) => g.index),
      [0],
    );
    assert.deepEqual(parseTelemetryCsv(""), []);
  });
});

describe("nvidia-smi telemetry source", () => {
  it("asks nvidia-smi for the telemetry fields", async () => {
    let asked: readonly string[] = [];
    const source = nvidiaSmiSource(async (file, args) => {
      assert.equal(file, "nvidia-smi");
      asked = args;
      return "0, GPU-a, Tesla T4, 40, 3, 100, 15360, 27.5, 70.00, 585, 5000\n";
    });
    const sample = await source.sample();
    assert.deepEqual(asked, TELEMETRY_ARGS);
    assert.equal(sample.status, "ok");
    assert.equal(sample.gpus[0]?.temperatureC, 40);
  });

  it("says unavailable, without throwing, when nvidia-smi is missing or fails", async () => {
    const missing = nvidiaSmiSource(async () => {
      throw Object.assign(new Error("spawn nvidia-smi ENOENT"), { code: "ENOENT" });
    });
    assert.deepEqual(await missing.sample().then((s) => [s.status, s.gpus]), [
      "unavailable: nvidia-smi not found",
      [],
    ]);
    const failing = nvidiaSmiSource(async () => {
      throw Object.assign(new Error("Command failed"), {
        code: 9,
        stderr: "NVIDIA-SMI has failed because it couldn't communicate with the NVIDIA driver.\n",
      });
    });
    assert.match((await failing.sample()).status, /^unavailable: nvidia-smi failed: NVIDIA-SMI has failed/);
    const empty = nvidiaSmiSource(async () => "\n");
    assert.equal((await empty.sample()).status, "unavailable: nvidia-smi lists no GPUs");
  });
});

describe("replay telemetry source", () => {
  it("replays snapshots in order, then holds the last; a GPU may vanish; a poll may fail", async () => {
    const text = [
      "# first",
      "0, GPU-a, T4, 40, 1, 1, 100, 1, 70, 1, 1",
      "1, GPU-b, T4, 50, 1, 1, 100, 1, 70, 1, 1",
      "# GPU 1 vanished",
      "0, GPU-a, T4, 41, 1, 1, 100, 1, 70, 1, 1",
      "# unavailable: nvidia-smi timed out",
      "# back",
      "0, GPU-a, T4, 42, 1, 1, 100, 1, 70, 1, 1",
      "1, GPU-b, T4, 52, 1, 1, 100, 1, 70, [N/A], 1",
    ].join("\n");
    const source = replaySource(text, "test.csv", () => 7);
    const seen = [];
    for (let i = 0; i < 5; i++) {
      const sample = await source.sample();
      seen.push([sample.status, sample.gpus.map((g) => `${g.index}:${g.temperatureC}`).join(" ")]);
    }
    assert.deepEqual(seen, [
      ["ok", "0:40 1:50"],
      ["ok", "0:41"],
      ["unavailable: nvidia-smi timed out", ""],
      ["ok", "0:42 1:52"],
      ["ok", "0:42 1:52"],
    ]);
    assert.equal(source.description, "replay of test.csv");
    const none = await replaySource("# nothing\n", "empty.csv").sample();
    assert.equal(none.status, "unavailable: empty.csv holds no snapshots");
  });

  it("the recorded sample has two GPUs, one heating past 85 °C and cooling down", async () => {
    const snapshots = parseReplay(await readFile(RECORDING, "utf8"));
    assert.ok(snapshots.length >= 5);
    const temps = snapshots
      .map((s) => parseTelemetryCsv(s.text))
      .map((gpus) => {
        assert.equal(gpus.length, 2);
        return gpus[1]?.temperatureC ?? 0;
      });
    const peak = Math.max(...temps);
    assert.ok(peak > 85);
    assert.ok((temps.at(-1) ?? 100) < 85 && (temps[0] ?? 100) < 85);
  });
});

describe("TelemetryPoller", () => {
  it("samples at once, then every interval, and stops", async () => {
    let calls = 0;
    const poller = new TelemetryPoller(
      {
        description: "counting",
        sample: async () => {
          calls += 1;
          return { sampledAtMs: calls, status: "ok", gpus: [] };
        },
      },
      20,
    );
    await poller.start();
    assert.equal(poller.latest()?.sampledAtMs, 1);
    await new Promise((resolve) => setTimeout(resolve, 300));
    poller.stop();
    const after = calls;
    assert.ok(after >= 2, `polled ${after} times`);
    await new Promise((resolve) => setTimeout(resolve, 100));
    assert.equal(calls, after);
  });
});
