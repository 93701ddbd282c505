/**
 * Epoch fencing on the call channel, with real actor processes on loopback: an actor process
 * answers only calls meant for its own incarnation, every answer carries its epoch, and a caller
 * refuses an answer from an incarnation the head has replaced while the call was in flight.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import * as grpc from "@grpc/grpc-js";
import type { ActorInfo } from "@neurogrid/schema";
import { ActorFixture } from "../cli/testing/actor-fixture.js";
import { waitFor } from "../cli/testing/processes.js";
import { unaryCall } from "../grpc/call.js";
import { clusterServices } from "../grpc/proto.js";

describe("epoch fencing on the call channel", { timeout: 120_000 }, () => {
  const fixture = new ActorFixture();
  let actor: ActorInfo;

  before(async () => {
    actor = await fixture.start("fenced", { epoch: 3 });
  });

  after(() => fixture.close());

  it("answers a caller that names the actor's own epoch", async () => {
    const handle = fixture.handle(actor);
    assert.equal((await handle.call<{ args: unknown }>("echo", "hi")).args, "hi");
  });

  it("refuses a call meant for an older incarnation with FAILED_PRECONDITION, running nothing", async () => {
    const before = await fixture.handle(actor).call<{ calls: number }>("stats", {});
    await assert.rejects(fixture.handle({ ...actor, epoch: 2 }).call("echo", "stale"), {
      code: "FAILED_PRECONDITION",
      message: /stale epoch: the call was meant for epoch 2.*epoch 3/,
    });
    const after = await fixture.handle(actor).call<{ calls: number }>("stats", {});
    assert.equal(after.calls, before.calls + 1, "only the stats call itself ran");
  });

  it("fences the unary Actor.Call the same way: a stale epoch is refused, an answer names its epoch", async () => {
    const client = new grpc.Client(actor.address, grpc.credentials.createInsecure());
    try {
      const Call = clusterServices().actor.Call;
      const args = Buffer.from('"unary"');
      const reply = await unaryCall(client, Call, { method: "echo", args, epoch: 3 });
      assert.equal(reply.epoch, 3);
      await assert.rejects(unaryCall(client, Call, { method: "echo", args, epoch: 1 }), {
        code: "FAILED_PRECONDITION",
        message: /stale epoch/,
      });
    } finally {
      client.close();
    }
  });

  it("a handle refused as stale asks the head again and retries on the incarnation it names now", async () => {
    const lookups: string[] = [];
    const handle = fixture.handle(
      { ...actor, epoch: 2 },
      {
        maxTaskRetries: 1,
        lookup: async (_namespace, name) => {
          lookups.push(name);
          return actor;
        },
      },
    );
    assert.equal((await handle.call<{ args: unknown }>("echo", "again")).args, "again");
    assert.deepEqual(lookups, ["fenced"]);
    assert.equal(handle.info.epoch, 3);
  });

  // Last: from here on this driver knows epoch 4, so it refuses every answer of epoch 3.
  it("refuses the answer of a call whose actor the head replaced while it ran (UNAVAILABLE, stale epoch)", async () => {
    const handle = fixture.handle(actor);
    const outcome = handle.call("sleep", { ms: 500 }).then(
      (value) => ({ value, err: undefined as unknown }),
      (err: unknown) => ({ value: undefined, err }),
    );
    await waitFor("the call to run", async () =>
      (await fixture.handle(actor).call<{ running: number }>("stats", {})).running === 1 ? true : undefined,
    );
    // The driver hears (from the head) that epoch 4 of this actor has started elsewhere.
    fixture.channels.epochs.learn(actor.actorId, 4);
    const { value, err } = await outcome;
    assert.equal(value, undefined, `the replaced incarnation's answer was used: ${JSON.stringify(value)}`);
    assert.equal((err as { code?: string }).code, "UNAVAILABLE");
    assert.match(
      (err as Error).message,
      /stale epoch: answered by epoch 3, but the head has since started epoch 4/,
    );
  });
});
