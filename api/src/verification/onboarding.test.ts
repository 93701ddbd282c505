/**
 * Onboarding's and canaries' rules over fakes (an in-memory record, a deployment whose replicas
 * answer as the test says): what is written, what is admitted, and when nothing is.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { ClusterError, type DeploymentCallOptions } from "@neurogrid/cluster";
import {
  mlpClassifierManifest,
  mlpClassifierWeights,
  mlpForwardReference,
  ocrTaskManifest,
} from "@neurogrid/cluster/models";
import type { ActorInfo } from "@neurogrid/schema";
import type { ModelDeployment } from "../tasks/model-deployments.js";
import { Canaries } from "./canaries.js";
import { type KnownAnswer, KnownAnswers } from "./known-answers.js";
import { knownInputs } from "./known-inputs.js";
import type { NodeCheck, OnboardingStatus } from "./node-checks.js";
import { Onboarding } from "./onboarding.js";

/** A reference's methods other than `infer`, for a tensor model's (never called). */
const notAGeneration = async (): Promise<never> => {
  throw new Error("a tensor model has only infer");
};

const replica = { actorId: "a1", nodeId: "node-1", state: "ALIVE", address: "127.0.0.1:1" } as ActorInfo;
type Answer = "right" | "wrong" | "down";

function fakes(answer: () => Answer, recorded?: OnboardingStatus) {
  const written: NodeCheck[] = [];
  let calls = 0;
  const deployment: ModelDeployment = {
    lease: async () => ({ replica, release: () => {} }),
    leaseWhere: async (accept) => ((await accept(replica)) ? { replica, release: () => {} } : undefined),
    call: async <T>(_m: string, args: unknown, opts: DeploymentCallOptions = {}) => {
      calls += 1;
      await opts.onReplica?.(replica);
      const how = answer();
      if (how === "down") throw new ClusterError("UNAVAILABLE", "the replica died");
      const { features } = (args as { inputs: { features: number[][] } }).inputs;
      const out = mlpForwardReference(mlpClassifierWeights(), features);
      return {
        outputs: how === "right" ? out : { ...out, logits: out.logits.map((r) => r.map((v) => -v)) },
      } as T;
    },
    stream: () => {
      throw new Error("not a generative model");
    },
  };
  const answers = new KnownAnswers(
    async () => ({
      infer: async (inputs) =>
        mlpForwardReference(mlpClassifierWeights(), (inputs as { features: number[][] }).features),
      generate: notAGeneration,
      call: notAGeneration,
      close: async () => {},
    }),
    3,
  );
  const checks = {
    record: async (c: NodeCheck) => void written.push(c),
    onboardingOf: async () => recorded,
  };
  return { deployment, answers, checks, written, calls: () => calls };
}

test("a replica is admitted once its node answers every known answer right; one wrong answer keeps it out", async () => {
  for (const [answer, admitted] of [
    ["right", true],
    ["wrong", false],
  ] as const) {
    const f = fakes(() => answer);
    const faults: string[] = [];
    const onboarding = new Onboarding({
      ...f,
      enabled: true,
      tasks: 3,
      callTimeoutMs: 1_000,
      onFault: async (node) => void faults.push(node),
    });
    const gated = onboarding.gate("m1", mlpClassifierManifest, f.deployment);
    assert.equal(await gated.leaseWhere(() => true), undefined, "not admitted while onboarding");
    assert.deepEqual(onboarding.pendingOf("node-1"), [{ modelId: "m1", model: "mlp-classifier@1" }]);
    await onboarding.idle();
    assert.equal((await gated.leaseWhere(() => true)) !== undefined, admitted, answer);
    assert.equal(f.calls(), 3);
    assert.deepEqual(
      f.written.map((c) => [c.kind, c.passed]),
      [["onboarding", admitted]],
    );
    assert.deepEqual(faults, admitted ? [] : ["node-1"]);
    assert.deepEqual(onboarding.serving().length, admitted ? 1 : 0, "a canary target once admitted");
  }
});

test("no answer is no verdict: nothing written, tried again later; a recorded pass needs no new onboarding", async () => {
  let how: Answer = "down";
  let now = 0;
  const f = fakes(() => how);
  const onboarding = new Onboarding({ ...f, enabled: true, tasks: 3, callTimeoutMs: 1_000, now: () => now });
  const gated = onboarding.gate("m1", mlpClassifierManifest, f.deployment);
  await gated.leaseWhere(() => true);
  await onboarding.idle();
  assert.equal(f.written.length, 0);
  how = "right";
  assert.equal(await gated.leaseWhere(() => true), undefined, "not tried again at once");
  now += 60_000;
  await gated.leaseWhere(() => true);
  await onboarding.idle();
  assert.ok(await gated.leaseWhere(() => true));
  assert.deepEqual(
    f.written.map((c) => c.passed),
    [true],
  );

  const restarted = fakes(() => "wrong", "PASSED");
  const again = new Onboarding({ ...restarted, enabled: true, tasks: 3, callTimeoutMs: 1_000 });
  const gatedAgain = again.gate("m1", mlpClassifierManifest, restarted.deployment);
  await gatedAgain.leaseWhere(() => true);
  await again.idle();
  assert.ok(await gatedAgain.leaseWhere(() => true));
  assert.equal(restarted.calls(), 0, "the record is the truth");
});

test("a model without known answers, or onboarding off, admits every replica at once", async () => {
  const f = fakes(() => "wrong");
  const on = new Onboarding({ ...f, enabled: true, tasks: 3, callTimeoutMs: 1_000 });
  assert.ok(await on.gate("ocr", ocrTaskManifest, f.deployment).leaseWhere(() => true));
  const off = new Onboarding({ ...f, enabled: false, tasks: 3, callTimeoutMs: 1_000 });
  assert.ok(await off.gate("m1", mlpClassifierManifest, f.deployment).leaseWhere(() => true));
  assert.equal(f.calls(), 0);
});

test("a canary with no answer writes nothing and its target is dropped until tasks see it again", async () => {
  let how: Answer = "down";
  const f = fakes(() => how);
  const onboarding = new Onboarding({ ...f, enabled: false, tasks: 3, callTimeoutMs: 1_000 });
  const gated = onboarding.gate("m1", mlpClassifierManifest, f.deployment);
  const canaries = new Canaries({
    ...f,
    onboarding,
    ratePerNodePerMinute: 1,
    callTimeoutMs: 1_000,
    random: () => 0,
  });
  await gated.leaseWhere(() => true);
  assert.deepEqual(
    (await canaries.round(1)).map((o) => o.outcome),
    ["unanswered"],
  );
  assert.equal(f.written.length, 0);
  assert.deepEqual(await canaries.round(1), [], "dropped");
  how = "wrong";
  await gated.leaseWhere(() => true);
  assert.deepEqual(
    (await canaries.round(1)).map((o) => o.outcome),
    ["failed"],
  );
  assert.deepEqual(
    f.written.map((c) => [c.kind, c.passed]),
    [["canary", false]],
  );
  await canaries.close();
});

test("known answers are computed once per model version from the reference", async () => {
  let opened = 0;
  const answers = new KnownAnswers(async () => {
    opened += 1;
    return {
      infer: async (inputs) => ({ echo: inputs }),
      generate: notAGeneration,
      call: notAGeneration,
      close: async () => {},
    };
  }, 5);
  const [a, b] = await Promise.all([answers.of(mlpClassifierManifest), answers.of(mlpClassifierManifest)]);
  assert.equal(opened, 1);
  assert.equal(a, b);
  const inputs = knownInputs(mlpClassifierManifest, 5, 8);
  assert.deepEqual(
    (a as KnownAnswer[]).map((k) => k.expected),
    inputs.map((input) => ({ echo: input })),
  );
});
