/**
 * A known-answer task's call, next to a task's as the attempt runner makes it (task-call.ts,
 * attempt-scope.ts), over a deployment that records what it is asked; and the inputs' shape.
 */
import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import { test } from "node:test";
import type { DeploymentCallOptions } from "@neurogrid/cluster";
import { mlpClassifierManifest, mlpClassifierWeights, mlpForwardReference } from "@neurogrid/cluster/models";
import type { ActorInfo } from "@neurogrid/schema";
import { AttemptScope } from "../tasks/attempt-scope.js";
import type { ModelDeployment } from "../tasks/model-deployments.js";
import { taskCallOf } from "../tasks/task-call.js";
import { runKnownAnswer } from "./known-answer-run.js";
import { knownInputs } from "./known-inputs.js";

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
const replica = { actorId: "a1", nodeId: "node-1", state: "ALIVE", address: "127.0.0.1:1" } as ActorInfo;
const other = { ...replica, actorId: "a2", nodeId: "node-2" } as ActorInfo;

interface Sent {
  method: string;
  args: unknown;
  opts: DeploymentCallOptions;
}

/** A deployment of one replica that answers with `answer(args)`, recording every call. */
function recording(answer: (args: unknown) => unknown, retryOn?: ActorInfo) {
  const sent: Sent[] = [];
  const deployment: ModelDeployment = {
    lease: async () => ({ replica, release: () => {} }),
    leaseWhere: async (accept) => ((await accept(replica)) ? { replica, release: () => {} } : undefined),
    call: async <T>(method: string, args: unknown, opts: DeploymentCallOptions = {}) => {
      sent.push({ method, args, opts });
      await opts.onReplica?.(retryOn ?? replica);
      return answer(args) as T;
    },
    stream: () => {
      throw new Error("not a generative model");
    },
  };
  return { deployment, sent };
}

const honest = (args: unknown) => {
  const { features } = (args as { inputs: { features: number[][] } }).inputs;
  return { outputs: mlpForwardReference(mlpClassifierWeights(), features) };
};

function knownAnswer() {
  const input = knownInputs(mlpClassifierManifest, 11, 1)[0] as { features: number[][] };
  return { input, expected: mlpForwardReference(mlpClassifierWeights(), input.features) };
}

test("a known-answer task is sent as a task is: the same method, argument shape and call options", async () => {
  const known = knownAnswer();
  const { deployment, sent } = recording(honest);
  const outcome = await runKnownAnswer(deployment, mlpClassifierManifest, replica, known, {
    timeoutMs: 1_000,
    signal: new AbortController().signal,
  });
  assert.deepEqual(outcome.answered && outcome.agree, true);
  // The task's call for a client's input of the same model.
  const call = taskCallOf(mlpClassifierManifest, { features: [[0.5]] });
  const taskOptions = new AttemptScope(randomUUID(), 1_000, new Map()).callOptions({
    replica,
    release: () => {},
  });
  const canary = sent[0] as Sent;
  assert.equal(canary.method, call.method);
  assert.deepEqual(Object.keys(canary.args as object), Object.keys(call.args as object));
  assert.deepEqual(Object.keys(canary.opts).sort(), Object.keys(taskOptions).sort());
  assert.match(String(canary.opts.traceId), UUID, "a trace id shaped as a task id");
  assert.match(String(taskOptions.traceId), UUID);
  assert.equal(canary.opts.lease?.replica.actorId, replica.actorId, "on the node checked");
});

test("a wrong answer is judged by the model's rule; a call moved to another replica gives no verdict", async () => {
  const known = knownAnswer();
  const opts = { timeoutMs: 1_000, signal: new AbortController().signal };
  const shifted = (args: unknown) => {
    const out = honest(args).outputs;
    return { outputs: { ...out, logits: out.logits.map((row) => row.map((v) => v + 1)) } };
  };
  const wrong = await runKnownAnswer(
    recording(shifted).deployment,
    mlpClassifierManifest,
    replica,
    known,
    opts,
  );
  assert.equal(wrong.answered, true);
  assert.equal(wrong.answered && wrong.agree, false);
  assert.match(wrong.answered ? wrong.detail : "", /^a wrong answer to a known-answer task: /);
  const moved = await runKnownAnswer(
    recording(honest, other).deployment,
    mlpClassifierManifest,
    replica,
    known,
    opts,
  );
  assert.equal(moved.answered, false, "another node's answer says nothing of this one");
});

test("known inputs follow the manifest's shapes (one row), the same for a seed and new for another", () => {
  const a = knownInputs(mlpClassifierManifest, 1, 3) as { features: number[][] }[];
  assert.equal(a.length, 3);
  for (const input of a) {
    assert.equal(input.features.length, 1);
    assert.equal(input.features[0]?.length, 16);
    assert.ok(input.features[0]?.every((v) => v >= -2 && v < 2));
  }
  assert.deepEqual(knownInputs(mlpClassifierManifest, 1, 3), a);
  assert.notDeepEqual(knownInputs(mlpClassifierManifest, 2, 3), a);
});
