/**
 * AnswerWait's choice to wait, on a test clock: tasks settled slower than the wait turn waiting
 * off, one submit in four still waits (a probe), and fast probes turn it back on; a submit not
 * waited for never moves the mean (its task settles while its client subscribes).
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { AnswerWait } from "./answer-wait.js";
import type { SettledTask } from "./settled-task.js";

const SETTLED = { status: "COMPLETED" } as SettledTask;

test("slow answers turn the wait off; probes keep learning, and fast ones turn it back on", async () => {
  let now = 0;
  const wait = new AnswerWait(10, () => now);
  /** One submit whose task settles `ms` after it started; whether the submit was answered. */
  const submit = async (ms: number): Promise<boolean> => {
    const l = wait.listen();
    now += ms;
    l.onSettled(SETTLED);
    return (await l.settled()) !== undefined;
  };
  assert.equal(await submit(50), true, "waited (nothing known yet), answered: settled before the wait ended");
  const answered: boolean[] = [];
  for (let i = 0; i < 4; i++) answered.push(await submit(0));
  assert.deepEqual(answered, [false, false, false, true], "slow: only the probe (one in four) waits");
  // Fast probes bring the mean back under the wait (the submits skipped meanwhile do not count).
  let inARow = 0;
  for (let i = 0; i < 1000 && inARow < 8; i++) inARow = (await submit(0)) ? inARow + 1 : 0;
  assert.equal(inARow, 8, "fast again: every submit waits");
});
