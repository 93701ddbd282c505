/**
 * Model composition with real processes: an "ocr-pipeline" deployment calls a detection
 * deployment (ppocr-v4) and a recognition deployment (ppocr-v4-rec) through deployment handles,
 * from inside its own actor process. Concurrent OCR tasks each read back their own rendered
 * text, and the recognition replica batches crops of different tasks into one inference.
 * Every actor process seen is stopped by its PID in `after`.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import type { ActorSpec, DeploymentSpec } from "@neurogrid/schema";
import { ClusterClient, type DeploymentHandle } from "../index.js";
import { normaliseText, registerTestFont, renderPng } from "../models/ocr-test-image.js";
import type { PipelineResult, PipelineStats } from "../serve/ocr-pipeline-actor.js";
import { startTestCluster, type TestCluster } from "./testing/test-cluster.js";

const NAMESPACE = "ocr-composition-test";

function deployment(name: string, replica: Omit<ActorSpec, "name" | "namespace">, min = 1): DeploymentSpec {
  return {
    name,
    namespace: NAMESPACE,
    replica: { ...replica, name: "", namespace: NAMESPACE },
    minReplicas: min,
    maxReplicas: min,
    targetOngoingRequests: 4,
    upscaleDelayMs: 1_000,
    downscaleDelayMs: 60_000,
  };
}

const model = (name: string, extra: Record<string, unknown> = {}) => ({
  className: "model",
  initArgs: { name, version: "1", intraOpNumThreads: 1, ...extra },
  resources: { cpus: 1, memoryMb: 512, gpus: 0, custom: {} },
});

describe("OCR composed of deployments, with real processes", { timeout: 240_000 }, () => {
  let cluster: TestCluster;
  let client: ClusterClient;
  let pipeline: DeploymentHandle;

  before(async () => {
    registerTestFont();
    cluster = await startTestCluster({
      headArgs: ["--heartbeat-timeout-ms", "3000", "--heartbeat-interval-ms", "500"],
      workers: { w1: ["--cpus", "8", "--memory-mb", "8192"] },
    });
    client = new ClusterClient({ headAddress: cluster.headAddress, callTimeoutMs: 120_000 });
    await client.applyDeployment(deployment("detect", model("ppocr-v4"), 2));
    await client.applyDeployment(
      deployment(
        "recognise",
        model("ppocr-v4-rec", { batching: { maxBatchSize: 64, batchWaitTimeoutMs: 400 } }),
      ),
    );
    pipeline = await client.applyDeployment(
      deployment("ocr", {
        className: "ocr-pipeline",
        initArgs: {
          detection: { namespace: NAMESPACE, name: "detect" },
          recognition: { namespace: NAMESPACE, name: "recognise" },
        },
        resources: { cpus: 1, memoryMb: 256, gpus: 0, custom: {} },
      }),
    );
  });

  after(async () => {
    pipeline?.close();
    for (const actor of await client.listActors(NAMESPACE).catch(() => []))
      if (actor.pid > 0) cluster.trackActor(actor.pid);
    client?.close();
    await cluster?.stop();
  });

  it("reads back each task's text, with the crops of concurrent tasks recognised in shared batches", async () => {
    const words = ["NEUROGRID 2026", "ALPHA 1", "BRAVO 22", "CHARLIE 333"];
    const results = await Promise.all(
      words.map((w) => pipeline.call<PipelineResult>("ocr", { png: renderPng(w, 128) })),
    );
    results.forEach((result, i) => {
      assert.equal(normaliseText(result.text), words[i], JSON.stringify(result.boxes));
    });
    assert.ok(
      results.some((r) => r.recognitionBatchRequests >= 2),
      `crops of different tasks shared an inference: ${results.map((r) => r.recognitionBatchRequests)}`,
    );
    const stats = await pipeline.call<PipelineStats>("stats", {});
    assert.equal(stats.calls, words.length);
    assert.equal(
      stats.recognitionBatchRequests,
      results.reduce((sum, r) => sum + r.recognitionBatchRequests, 0),
      "the pipeline's stats sum what its answers said",
    );
  });

  it("passes a bad image's INVALID_ARGUMENT through the pipeline to the caller", async () => {
    await assert.rejects(pipeline.call("ocr", { png: Buffer.from("not a png").toString("base64") }), {
      code: "INVALID_ARGUMENT",
    });
  });
});
