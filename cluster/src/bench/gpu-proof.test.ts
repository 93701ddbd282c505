/**
 * scripts/gpu-proof.sh where no GPU is needed: its CPU-against-CPU path (the whole run, head,
 * worker and model actors, every builtin model at batch 1 and 64) and the shape of its JSON
 * line; its refusal, with a clear message and exit 1, when nvidia-smi finds no GPU (an
 * nvidia-smi stand-in that fails, so the test says nothing about this machine's GPUs); and the
 * output comparison it relies on.
 */
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { describe, it } from "node:test";
import { fileURLToPath } from "node:url";
import { flatOutputs, maxAbsDiff, PROOF_MODELS } from "./gpu-proof-models.js";

const SCRIPT = fileURLToPath(new URL("../../../scripts/gpu-proof.sh", import.meta.url));

function proof(env: Record<string, string>): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((done) =>
    execFile(SCRIPT, [], { env: { ...process.env, ...env }, timeout: 300_000 }, (err, stdout, stderr) =>
      done({ code: err ? Number((err as { code?: number }).code ?? 1) : 0, stdout, stderr }),
    ),
  );
}

describe("scripts/gpu-proof.sh", { timeout: 320_000 }, () => {
  it("the CPU-against-CPU path runs every builtin model and prints one JSON line", async () => {
    const { code, stdout, stderr } = await proof({
      NEUROGRID_GPU_PROOF_PROVIDER: "cpu",
      NEUROGRID_GPU_PROOF_CALLS: "1",
    });
    assert.equal(code, 0, stderr);
    const lines = stdout.trim().split("\n");
    assert.equal(lines.length, 1, "one line on stdout");
    const line = JSON.parse(lines[0] ?? "");
    assert.equal(line.provider, "cpu");
    assert.deepEqual([line.gpu, line.driver, line.cudaVersion], [null, null, null]);
    const cpu = line.providers.cpu;
    assert.equal(cpu.ok, true);
    assert.deepEqual(Object.keys(cpu.models).sort(), PROOF_MODELS.map((m) => m.name).sort());
    for (const model of PROOF_MODELS) {
      const r = cpu.models[model.name];
      assert.equal(r.error, undefined, `${model.name}: ${r.error}`);
      assert.equal(r.tolerance, model.tolerance);
      assert.equal(r.withinTolerance, true, model.name);
      assert.equal(r.vramMb, null, "no GPU, no VRAM figure");
      for (const figure of [r.batch1, r.batch64]) {
        assert.ok(figure.speedup > 0 && figure.gpuMs > 0 && figure.cpuMs > 0, JSON.stringify(figure));
        assert.ok(figure.maxAbsDiff <= model.tolerance, `${model.name}: ${figure.maxAbsDiff}`);
      }
    }
  });

  it("without a GPU it says so and exits 1, printing no JSON", async () => {
    const { code, stdout, stderr } = await proof({ NEUROGRID_NVIDIA_SMI: "false" });
    assert.equal(code, 1);
    assert.equal(stdout, "");
    assert.match(
      stderr,
      /^gpu-proof: no NVIDIA GPU found \(false -L: no output\)\. It needs a machine with an NVIDIA GPU/,
    );
  });
});

describe("the proof's output comparison", () => {
  it("takes the largest difference over every tensor, and refuses outputs of another shape or NaN", () => {
    const gpu = flatOutputs({ b: [[1, 2]], a: [0.5] });
    assert.deepEqual(gpu, [0.5, 1, 2], "tensors in name order");
    assert.equal(maxAbsDiff(gpu, [0.5, 1.25, 1.5]), 0.5);
    assert.equal(maxAbsDiff(gpu, [0.5, 1]), Number.POSITIVE_INFINITY);
    assert.ok(!(maxAbsDiff([Number.NaN], [0]) <= 1), "NaN is never within tolerance");
  });
});
