/**
 * Callers' retries (maxTaskRetries) against real actor processes: the actor's process is
 * killed (SIGKILL) mid-call and the head — a stand-in `lookup` here — then places the actor in
 * another process; the call is answered there while retries remain.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { type ActorInfo, ActorState } from "@neurogrid/schema";
import { ActorFixture } from "../cli/testing/actor-fixture.js";
import { killQuietly, waitFor } from "../cli/testing/processes.js";
import type { GrpcActorHandle } from "./actor-handle.js";

interface EchoReply {
  args: unknown;
  pid: number;
}

describe("retries of calls whose actor died", { timeout: 120_000 }, () => {
  const fixture = new ActorFixture();
  let replacement: ActorInfo;

  before(async () => {
    replacement = await fixture.start("phoenix");
  });

  after(() => fixture.close());

  /** A fresh actor process to kill, and a lookup that answers `answers` in turn (then the last). */
  async function doomed(answers: (victim: ActorInfo) => ActorInfo[], maxTaskRetries: number) {
    const victim = await fixture.start("phoenix");
    const replies = answers(victim);
    let asked = 0;
    const handle = fixture.handle(victim, {
      maxTaskRetries,
      lookup: async () => {
        asked += 1;
        return replies[Math.min(asked, replies.length) - 1] as ActorInfo;
      },
    });
    return { victim, handle, asked: () => asked };
  }

  async function killWhileSleeping(handle: GrpcActorHandle, victim: ActorInfo) {
    const call = handle.call<{ sleptMs: number }>("sleep", { ms: 1_000 });
    await new Promise((resolve) => setTimeout(resolve, 200));
    killQuietly(victim.pid, "SIGKILL");
    return call;
  }

  it("answers from the actor's new process, and the handle follows it", async () => {
    const { victim, handle } = await doomed(() => [replacement], 2);
    assert.deepEqual(await killWhileSleeping(handle, victim), { sleptMs: 1_000 });
    assert.equal(handle.info.address, replacement.address);
    assert.equal((await handle.call<EchoReply>("echo", 1)).pid, replacement.pid);
  });

  it("waits while the actor is RESTARTING, and while the head still has the dead address", async () => {
    const { victim, handle, asked } = await doomed(
      (v) => [v, { ...v, state: ActorState.RESTARTING, address: "" }, v, replacement],
      1,
    );
    assert.deepEqual(await killWhileSleeping(handle, victim), { sleptMs: 1_000 });
    assert.equal(asked(), 4, "one retry, however long the head takes to notice");
  });

  it("gives up with UNAVAILABLE without retries, or when the actor is DEAD", async () => {
    const none = await doomed(() => [replacement], 0);
    await assert.rejects(killWhileSleeping(none.handle, none.victim), { code: "UNAVAILABLE" });
    assert.equal(none.asked(), 0);

    const dead = await doomed(
      (v) => [{ ...v, state: ActorState.DEAD, address: "", deathCause: "killed" }],
      3,
    );
    await assert.rejects(killWhileSleeping(dead.handle, dead.victim), { code: "UNAVAILABLE" });
    assert.equal(dead.handle.info.state, ActorState.DEAD);
    await assert.rejects(dead.handle.call("echo", {}), { code: "UNAVAILABLE", message: /DEAD: killed/ });
  });

  it("never retries the actor's own errors", async () => {
    const { handle, asked } = await doomed(() => [replacement], 5);
    await assert.rejects(handle.call("fail", {}), { code: "INTERNAL" });
    assert.equal(asked(), 0);
  });

  it("retries a stream that died before its first item, but not one that delivered items", async () => {
    const early = await doomed(() => [replacement], 1);
    const items: number[] = [];
    const reading = (async () => {
      for await (const item of early.handle.stream<number>("count", { n: 3, ms: 500 })) items.push(item);
    })();
    await new Promise((resolve) => setTimeout(resolve, 200));
    killQuietly(early.victim.pid, "SIGKILL");
    await reading;
    assert.deepEqual(items, [0, 1, 2]);

    const late = await doomed(() => [replacement], 1);
    const seen: number[] = [];
    await assert.rejects(
      (async () => {
        for await (const item of late.handle.stream<number>("count", { n: 1_000, ms: 50 })) {
          seen.push(item);
          if (seen.length === 2) killQuietly(late.victim.pid, "SIGKILL");
        }
      })(),
      { code: "UNAVAILABLE" },
    );
    await waitFor("nothing more", () => true);
    assert.equal(late.asked(), 0);
  });
});
