import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { setTimeout as sleep } from "node:timers/promises";
import { DriverSessions } from "./driver-sessions.js";

const GRACE_MS = 20;

describe("DriverSessions", () => {
  it("ends a session after the grace period once its last stream closes", async () => {
    const ended: string[] = [];
    const sessions = new DriverSessions((id) => ended.push(id), GRACE_MS);
    const closeA = sessions.open("s");
    const closeB = sessions.open("s");
    closeA();
    closeB();
    closeB();
    assert.equal(sessions.isOpen("s"), true, "still within the grace period");
    assert.deepEqual(ended, []);
    while (ended.length === 0) await sleep(GRACE_MS);
    assert.deepEqual(ended, ["s"]);
    assert.equal(sessions.isOpen("s"), false);
  });

  it("keeps a session whose stream is opened again within the grace period", async () => {
    const ended: string[] = [];
    const sessions = new DriverSessions((id) => ended.push(id), GRACE_MS);
    sessions.open("s")();
    const close = sessions.open("s");
    await sleep(GRACE_MS * 5);
    assert.deepEqual(ended, []);
    close();
    sessions.stop();
  });

  it("ends the expected sessions (owners from before a head restart) that do not come back", async () => {
    const ended: string[] = [];
    const sessions = new DriverSessions((id) => ended.push(id), GRACE_MS);
    sessions.expect(["gone", "back"]);
    const close = sessions.open("back");
    while (ended.length === 0) await sleep(GRACE_MS);
    await sleep(GRACE_MS * 2);
    assert.deepEqual(ended, ["gone"]);
    close();
    sessions.stop();
  });
});
