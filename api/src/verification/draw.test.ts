/**
 * Which completed tasks a spot check draws (Verifier.draw): the model's own sample rate when its
 * manifest sets one, else the api's; raised for a provider of low reputation; never a kind with
 * no task-level rule (OCR), and never while no other provider's replica serves the model. A task
 * whose client asked for a check (`verify`) is drawn whatever the rate, on the same condition (a
 * check on the same provider's node would prove nothing; the task is then completed unchecked
 * and charged once). With random checks off, a task that did not ask costs no provider look-up.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { mlpClassifierManifest, ocrTaskManifest } from "@neurogrid/cluster/models";
import type { ActorInfo, ModelManifest } from "@neurogrid/schema";
import type { ModelDeployment } from "../tasks/model-deployments.js";
import { type CompletedTask, Verifier } from "./verifier.js";

const task = (verify = false): CompletedTask => ({
  id: "00000000-0000-4000-8000-000000000001",
  modelId: "model-1",
  generative: false,
  input: {},
  result: {},
  nodeId: "node-a",
  verify,
});

/** A verifier over replicas on node-a and (unless told) node-b; node-x belongs to provider-x. */
function verifierWith(opts: {
  manifest?: ModelManifest;
  sampleRate?: number;
  random: number;
  score?: number;
  otherReplica?: boolean;
}): { verifier: Verifier; lookups: string[] } {
  const replicas = ["node-a", ...(opts.otherReplica === false ? [] : ["node-b"])];
  const lookups: string[] = [];
  const deployment = {
    leaseWhere: async (accept: (r: ActorInfo) => Promise<boolean>) => {
      for (const nodeId of replicas) if (await accept({ nodeId } as ActorInfo)) return { release: () => {} };
      return undefined;
    },
  } as unknown as ModelDeployment;
  const verifier = new Verifier({
    store: {} as never,
    deployments: {
      forModel: async () => deployment,
      manifestOf: () => opts.manifest ?? mlpClassifierManifest,
    },
    providerOf: async (nodeId) => {
      lookups.push(nodeId);
      return nodeId.replace("node", "provider");
    },
    sampleRate: opts.sampleRate ?? 0.05,
    windowMs: 600_000,
    scoreOf: async () => opts.score ?? 1,
    random: () => opts.random,
    callTimeoutMs: 1000,
    maxResultChars: 1_000_000,
  });
  return { verifier, lookups };
}

const drawn = (opts: Parameters<typeof verifierWith>[0], verify = false) =>
  verifierWith(opts).verifier.draw(task(verify));
const ownRate = (sampleRate: number): ModelManifest => ({
  ...mlpClassifierManifest,
  verification: { sampleRate },
});

test("the model's own sample rate decides, else the api's", async () => {
  assert.equal(await drawn({ random: 0.04 }), true);
  assert.equal(await drawn({ random: 0.06 }), false);
  assert.equal(await drawn({ manifest: ownRate(0.5), random: 0.3 }), true);
  assert.equal(await drawn({ manifest: ownRate(0.5), sampleRate: 0, random: 0.3 }), true, "the api's 0 too");
  assert.equal(await drawn({ manifest: ownRate(0), random: 0 }), false, "0: never");
});

test("a provider of low reputation is drawn more often", async () => {
  assert.equal(await drawn({ random: 0.08, score: 0.5 }), true);
  assert.equal(await drawn({ random: 0.08, score: 1 }), false);
});

test("no OCR task and no task without another provider's replica is drawn", async () => {
  assert.equal(await drawn({ manifest: ocrTaskManifest, random: 0 }), false);
  assert.equal(await drawn({ random: 0, otherReplica: false }), false);
});

test("a verify task is drawn with random checks off, while another provider's replica serves its model", async () => {
  assert.equal(await drawn({ sampleRate: 0, random: 0.99 }, true), true);
  assert.equal(await drawn({ sampleRate: 0, random: 0, otherReplica: false }, true), false);
});

test("with random checks off, a task that did not ask is not drawn, and nothing is looked up", async () => {
  const { verifier, lookups } = verifierWith({ sampleRate: 0, random: 0 });
  assert.equal(await verifier.draw(task()), false);
  assert.deepEqual(lookups, []);
});
