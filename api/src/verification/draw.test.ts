/**
 * Which completed tasks a spot check draws (Verifier.draw): the model's own sample rate when its
 * manifest sets one, else the api's; raised for a provider of low reputation; never a kind with
 * no task-level rule (OCR), and never while no other provider's replica serves the model.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { mlpClassifierManifest, ocrTaskManifest } from "@neurogrid/cluster/models";
import type { ActorInfo, ModelManifest } from "@neurogrid/schema";
import type { ModelDeployment } from "../tasks/model-deployments.js";
import { type CompletedTask, Verifier, type VerifierDeps } from "./verifier.js";

const TASK: CompletedTask = {
  id: "00000000-0000-4000-8000-000000000001",
  modelId: "model-1",
  generative: false,
  input: {},
  result: {},
  nodeId: "node-a",
};

function verifierWith(opts: {
  manifest: ModelManifest;
  random: number;
  score?: number;
  otherReplica?: boolean;
}): Verifier {
  const replicas = [{ nodeId: "node-a" }, ...(opts.otherReplica === false ? [] : [{ nodeId: "node-b" }])];
  const deployment = {
    leaseWhere: async (accept: (r: ActorInfo) => Promise<boolean>) => {
      for (const r of replicas) if (await accept(r as ActorInfo)) return { release: () => {} };
      return undefined;
    },
  } as unknown as ModelDeployment;
  const deps: VerifierDeps = {
    store: {} as VerifierDeps["store"],
    deployments: { forModel: async () => deployment, manifestOf: () => opts.manifest },
    providerOf: async (nodeId) => `provider-of-${nodeId}`,
    sampleRate: 0.05,
    scoreOf: async () => opts.score ?? 1,
    random: () => opts.random,
    callTimeoutMs: 1000,
    maxResultChars: 1_000_000,
  };
  return new Verifier(deps);
}

const ownRate = (sampleRate: number): ModelManifest => ({
  ...mlpClassifierManifest,
  verification: { sampleRate },
});

test("the model's own sample rate decides, else the api's", async () => {
  assert.equal(await verifierWith({ manifest: mlpClassifierManifest, random: 0.04 }).draw(TASK), true);
  assert.equal(await verifierWith({ manifest: mlpClassifierManifest, random: 0.06 }).draw(TASK), false);
  assert.equal(await verifierWith({ manifest: ownRate(0.5), random: 0.3 }).draw(TASK), true);
  assert.equal(await verifierWith({ manifest: ownRate(0), random: 0 }).draw(TASK), false, "0: never");
});

test("a provider of low reputation is drawn more often", async () => {
  assert.equal(
    await verifierWith({ manifest: mlpClassifierManifest, random: 0.08, score: 0.5 }).draw(TASK),
    true,
  );
  assert.equal(
    await verifierWith({ manifest: mlpClassifierManifest, random: 0.08, score: 1 }).draw(TASK),
    false,
  );
});

test("no OCR task and no task without another provider's replica is drawn", async () => {
  assert.equal(await verifierWith({ manifest: ocrTaskManifest, random: 0 }).draw(TASK), false);
  assert.equal(
    await verifierWith({ manifest: mlpClassifierManifest, random: 0, otherReplica: false }).draw(TASK),
    false,
  );
});
