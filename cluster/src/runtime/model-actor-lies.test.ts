/**
 * The lying model actor (fault-injection.ts): with fault injection at rate 1 its `infer` answers
 * keep the model's shapes but disagree with an honest actor's under the model's rule; at rate 0
 * they agree; and a worker refuses the option when NODE_ENV is production.
 */
import assert from "node:assert/strict";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, test } from "node:test";
import type { InferResult } from "@neurogrid/schema";
import { parseWorkerConfig } from "../config-worker.js";
import { mlpClassifierManifest } from "../models/mlp-classifier.js";
import { compareResults } from "../models/result-comparison.js";
import type { ActorContext } from "./actor-class.js";
import { startModelActor } from "./model-actor.js";

const never = new AbortController().signal;
const features = [Array.from({ length: 16 }, (_, i) => Math.sin(i))];
let cacheDir: string;

before(async () => {
  cacheDir = await mkdtemp(join(tmpdir(), "model-actor-lies-"));
});
after(async () => {
  await rm(cacheDir, { recursive: true, force: true });
});

async function answer(faultInjection?: ActorContext["faultInjection"]): Promise<InferResult> {
  const ctx: ActorContext = {
    actorId: "lies",
    gpuIds: [],
    cudaVisibleDevices: "",
    ...(faultInjection ? { faultInjection } : {}),
  };
  const actor = await startModelActor({ name: "mlp-classifier", version: "1", cacheDir }, ctx);
  try {
    return (await actor.call("infer", { inputs: { features } }, never)) as InferResult;
  } finally {
    await actor.close();
  }
}

test("a lying actor's answers keep their shapes and fail the model's comparison", async () => {
  const honest = await answer();
  const lie = await answer({ rate: 1, seed: 1 });
  const truthful = await answer({ rate: 0, seed: 1 });
  assert.deepEqual(
    Object.entries(lie.outputs).map(([k, v]) => [k, (v as number[][])[0]?.length]),
    [
      ["logits", 4],
      ["probabilities", 4],
    ],
  );
  assert.equal(compareResults(mlpClassifierManifest, honest.outputs, lie.outputs).agree, false);
  assert.deepEqual(compareResults(mlpClassifierManifest, honest.outputs, truthful.outputs), { agree: true });
});

test("a worker refuses fault injection when NODE_ENV is production", () => {
  const argv = ["--head", "127.0.0.1:1", "--fault-injection-rate", "0.2"];
  assert.equal(parseWorkerConfig(argv, {}).faultInjectionRate, 0.2);
  assert.throws(
    () => parseWorkerConfig(argv, { NODE_ENV: "production" }),
    /refused when NODE_ENV=production/,
  );
  assert.throws(() => parseWorkerConfig(["--head", "127.0.0.1:1", "--fault-injection-rate", "2"], {}));
});
