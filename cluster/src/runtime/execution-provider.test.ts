import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { ClusterError } from "../errors.js";
import {
  chooseExecutionProvider,
  DEFAULT_PROVIDER_PREFERENCE,
  describeGpus,
  type ProbeResult,
  type ProviderProbe,
  sessionOptionsFor,
} from "./execution-provider.js";
import { createOnnxruntimeProbe } from "./execution-provider-probe.js";

const NO_ADAPTER: ProbeResult = { ok: false, reason: "Failed to get a WebGPU adapter" };

/** CUDA answers `cuda`; WebGPU answers `webgpu` (no adapter unless said). Counts the probes. */
function fakeProbe(
  cuda: ProbeResult,
  webgpu: ProbeResult = NO_ADAPTER,
): ProviderProbe & { calls: number; probed: string[] } {
  const probe = {
    calls: 0,
    probed: [] as string[],
    async probeCuda() {
      probe.calls++;
      probe.probed.push("cuda");
      return cuda;
    },
    async probeWebgpu() {
      probe.calls++;
      probe.probed.push("webgpu");
      return webgpu;
    },
  };
  return probe;
}

const noGpu = { gpuIds: [], cudaVisibleDevices: "" };
const gpu0 = { gpuIds: [0], cudaVisibleDevices: "0" };

describe("chooseExecutionProvider", () => {
  it("uses CUDA when a GPU is assigned and the provider loads", async () => {
    const probe = fakeProbe({ ok: true });
    const choice = await chooseExecutionProvider(gpu0, ["cuda", "cpu"], probe);
    assert.equal(choice.provider, "cuda");
    assert.equal(
      choice.reason,
      "cuda: GPU 0 (CUDA_VISIBLE_DEVICES=0) assigned and the CUDA execution provider loaded",
    );
    assert.equal(probe.calls, 1);
  });

  it("does not even probe CUDA without an assigned GPU", async () => {
    const probe = fakeProbe({ ok: true });
    const choice = await chooseExecutionProvider(noGpu, ["cuda", "cpu"], probe);
    assert.deepEqual(choice, { provider: "cpu", reason: "cpu: not cuda: no GPU assigned to this actor" });
    assert.equal(probe.calls, 0);
  });

  it("falls to CPU, saying why, when the CUDA provider does not load", async () => {
    const choice = await chooseExecutionProvider(
      gpu0,
      ["cuda", "cpu"],
      fakeProbe({ ok: false, reason: "Failed to load shared library" }),
    );
    assert.equal(choice.provider, "cpu");
    assert.equal(
      choice.reason,
      "cpu: not cuda: GPU 0 (CUDA_VISIBLE_DEVICES=0) assigned but the CUDA execution provider is not usable (Failed to load shared library)",
    );
  });

  it("honours a CPU-first preference", async () => {
    const probe = fakeProbe({ ok: true });
    assert.deepEqual(await chooseExecutionProvider(gpu0, ["cpu", "cuda"], probe), {
      provider: "cpu",
      reason: "cpu: first in the preference list",
    });
    assert.equal(probe.calls, 0);
  });

  it("fails rather than pretend when only CUDA is allowed and it is not usable", async () => {
    await assert.rejects(
      chooseExecutionProvider(noGpu, ["cuda"], fakeProbe({ ok: true })),
      (err: unknown) =>
        err instanceof ClusterError &&
        err.code === "INTERNAL" &&
        /no usable execution provider in \[cuda\]: cuda: no GPU assigned/.test(err.message),
    );
  });

  it("by default tries CUDA, then WebGPU, then CPU, saying why at each step", async () => {
    const cudaMissing: ProbeResult = { ok: false, reason: "no CUDA backend" };
    const webgpu = fakeProbe(cudaMissing, { ok: true });
    assert.deepEqual(await chooseExecutionProvider(gpu0, DEFAULT_PROVIDER_PREFERENCE, webgpu), {
      provider: "webgpu",
      reason: "webgpu: GPU 0 (CUDA_VISIBLE_DEVICES=0) assigned and the WebGPU execution provider loaded",
    });
    assert.deepEqual(webgpu.probed, ["cuda", "webgpu"]);

    const neither = fakeProbe(cudaMissing);
    const cpu = await chooseExecutionProvider(gpu0, DEFAULT_PROVIDER_PREFERENCE, neither);
    assert.equal(cpu.provider, "cpu");
    assert.equal(
      cpu.reason,
      "cpu: not cuda: GPU 0 (CUDA_VISIBLE_DEVICES=0) assigned but the CUDA execution provider is not usable (no CUDA backend); " +
        "not webgpu: GPU 0 (CUDA_VISIBLE_DEVICES=0) assigned but the WebGPU execution provider is not usable (Failed to get a WebGPU adapter)",
    );

    const none = fakeProbe({ ok: true }, { ok: true });
    assert.deepEqual(await chooseExecutionProvider(noGpu, DEFAULT_PROVIDER_PREFERENCE, none), {
      provider: "cpu",
      reason: "cpu: not cuda: no GPU assigned to this actor; not webgpu: no GPU assigned to this actor",
    });
    assert.equal(none.calls, 0, "no GPU assigned: nothing probed");
  });

  it("treats CUDA_VISIBLE_DEVICES alone as an assignment, but not -1 or empty", () => {
    assert.equal(
      describeGpus({ gpuIds: [], cudaVisibleDevices: "1,2" }),
      "GPU 1,2 (CUDA_VISIBLE_DEVICES=1,2)",
    );
    assert.equal(describeGpus({ gpuIds: [3], cudaVisibleDevices: "" }), "GPU 3 (CUDA_VISIBLE_DEVICES=unset)");
    assert.equal(describeGpus({ gpuIds: [], cudaVisibleDevices: "-1" }), undefined);
    assert.equal(describeGpus({ gpuIds: [], cudaVisibleDevices: " " }), undefined);
  });
});

describe("sessionOptionsFor", () => {
  it("names exactly one provider and sets thread counts explicitly", () => {
    const cpu = sessionOptionsFor("cpu");
    assert.deepEqual(cpu.executionProviders, [{ name: "cpu" }]);
    assert.equal(cpu.intraOpNumThreads, 1);
    assert.equal(cpu.interOpNumThreads, 1);
    assert.equal(sessionOptionsFor("cpu", { intraOpNumThreads: 4 }).intraOpNumThreads, 4);
    assert.deepEqual(sessionOptionsFor("cuda").executionProviders, [{ name: "cuda", deviceId: 0 }]);
    assert.deepEqual(sessionOptionsFor("webgpu").executionProviders, [{ name: "webgpu" }]);
  });
});

describe("the real onnxruntime probe", () => {
  it("chooses CPU on a machine where this actor has no GPU, with a reason", async () => {
    const choice = await chooseExecutionProvider(noGpu, ["cuda", "cpu"], createOnnxruntimeProbe());
    assert.deepEqual(choice, { provider: "cpu", reason: "cpu: not cuda: no GPU assigned to this actor" });
  });

  it("with a GPU assigned, chooses CUDA only if a CUDA session really loads", async () => {
    const probe = createOnnxruntimeProbe();
    const probed = await probe.probeCuda();
    assert.equal(await probe.probeCuda(), probed, "memoized");
    const choice = await chooseExecutionProvider(gpu0, ["cuda", "cpu"], probe);
    if (probed.ok) {
      assert.equal(choice.provider, "cuda");
    } else {
      assert.equal(choice.provider, "cpu");
      assert.match(
        choice.reason,
        /^cpu: not cuda: GPU 0 .* the CUDA execution provider is not usable \(.+\)$/,
      );
    }
  });

  it("with a GPU assigned, chooses WebGPU only if a WebGPU session really runs", async () => {
    const probe = createOnnxruntimeProbe();
    const probed = await probe.probeWebgpu();
    assert.equal(await probe.probeWebgpu(), probed, "memoized");
    const choice = await chooseExecutionProvider(gpu0, ["webgpu", "cpu"], probe);
    if (probed.ok) {
      assert.equal(choice.provider, "webgpu");
    } else {
      // Without a GPU (CI), Dawn finds no Vulkan adapter: a clean refusal, not a crash.
      assert.match(
        choice.reason,
        /^cpu: not webgpu: GPU 0 .* the WebGPU execution provider is not usable \(creating a WebGPU session failed: .+\)$/,
      );
    }
  });
});
