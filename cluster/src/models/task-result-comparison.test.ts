/**
 * A speech task's segments under the vad rule (task-result-comparison.ts): runs of the real
 * silero-vad actor's `speech` with 1, 2 and 4 intra-op threads (another machine's configuration)
 * agree; segments moved by more than a frame, a segment missing, or a different duration do not;
 * the rule is symmetric. Tensor results still go by the model's own rule.
 */
import assert from "node:assert/strict";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import type { VadTaskResult } from "@neurogrid/schema";
import { createModelActor } from "../runtime/model-actor.js";
import { mlpClassifierManifest } from "./mlp-classifier.js";
import { sileroVadManifest } from "./silero-vad.js";
import { speechLikeClip, wavBytes } from "./speech-test-audio.js";
import { compareTaskResults, SEGMENT_EDGE_MS } from "./task-result-comparison.js";

const never = new AbortController().signal;

describe("task results: speech segments (kind vad)", () => {
  let cacheDir: string;
  const runs: VadTaskResult[] = [];

  before(async () => {
    cacheDir = await mkdtemp(join(tmpdir(), "speech-compare-"));
    const clip = speechLikeClip({ silenceMs: 1200, speechMs: 2000, rateHz: 16_000 });
    const audio = Buffer.from(wavBytes(clip.samples, 16_000, 1)).toString("base64");
    for (const intraOpNumThreads of [1, 2, 4]) {
      const actor = await createModelActor(
        { name: "silero-vad", version: "5", cacheDir, intraOpNumThreads, executionProviders: ["cpu"] },
        { actorId: `speech-threads-${intraOpNumThreads}`, gpuIds: [], cudaVisibleDevices: "" },
      );
      try {
        const {
          executionProvider: _ep,
          inferenceMs: _ms,
          ...result
        } = (await actor.call("speech", { audio }, never)) as VadTaskResult & {
          executionProvider: string;
          inferenceMs: number;
        };
        runs.push(result);
      } finally {
        await actor.close();
      }
    }
  });
  after(async () => {
    await rm(cacheDir, { recursive: true, force: true });
  });

  it("honest runs on 1, 2 and 4 threads agree", () => {
    const [first, ...others] = runs;
    assert.ok(first && first.segments.length > 0, JSON.stringify(first));
    for (const other of others) {
      assert.deepEqual(compareTaskResults(sileroVadManifest, first, other), { agree: true });
      assert.deepEqual(compareTaskResults(sileroVadManifest, other, first), { agree: true });
    }
  });

  it("segments moved by more than a frame, a missing segment or another duration disagree", () => {
    const honest = runs[0] as VadTaskResult;
    const moved = {
      ...honest,
      segments: honest.segments.map((s) => ({ ...s, endMs: s.endMs + 2 * SEGMENT_EDGE_MS })),
    };
    const within = {
      ...honest,
      segments: honest.segments.map((s) => ({ ...s, startMs: s.startMs + SEGMENT_EDGE_MS })),
    };
    const none = { ...honest, segments: [] };
    const longer = { ...honest, durationMs: honest.durationMs + 1000 };
    assert.deepEqual(compareTaskResults(sileroVadManifest, honest, within), { agree: true });
    for (const lie of [moved, none, longer]) {
      assert.equal(compareTaskResults(sileroVadManifest, honest, lie).agree, false, JSON.stringify(lie));
      assert.equal(compareTaskResults(sileroVadManifest, lie, honest).agree, false, "either way round");
    }
    assert.equal(compareTaskResults(sileroVadManifest, honest, { text: "x" }).agree, false);
  });

  it("a tensor model's results go by its manifest rule", () => {
    const a = { logits: [[1, 2, 3]], probabilities: [[0.1, 0.2, 0.7]] };
    assert.deepEqual(compareTaskResults(mlpClassifierManifest, a, structuredClone(a)), { agree: true });
    const b = { logits: [[3, 2, 1]], probabilities: [[0.7, 0.2, 0.1]] };
    assert.equal(compareTaskResults(mlpClassifierManifest, a, b).agree, false);
  });
});
