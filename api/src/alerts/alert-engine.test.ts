import assert from "node:assert/strict";
import { test } from "node:test";
import { AlertEngine } from "./alert-engine.js";
import { DEFAULT_THRESHOLDS } from "./thresholds.js";

const gpu = (temperatureC: number) => ({ index: 1, uuid: "GPU-x", name: "G", temperatureC });

test("a GPU heating up opens a warning, escalates it to critical, and resolves below warning − hysteresis", () => {
  const engine = new AlertEngine(DEFAULT_THRESHOLDS, 60_000);
  const seen = [62, 75, 81, 86, 90, 93, 88, 79, 76, 74, 72].flatMap((c, i) =>
    engine.evaluate("n1", [gpu(c)], i * 1000).map((x) => `${x.change}:${x.level}@${x.value}`),
  );
  assert.deepEqual(seen, ["opened:warning@81", "escalated:critical@90", "resolved:critical@74"]);
});

test("no flapping: hovering at the threshold alerts once, and the cooldown holds back a new alert", () => {
  const engine = new AlertEngine(DEFAULT_THRESHOLDS, 10_000);
  const temps = [80, 79, 80, 79, 74, 81, 82, 74, 81];
  const seen = temps.flatMap((c, i) =>
    engine.evaluate("n1", [gpu(c)], i * 1000).map((x) => `${x.change}@${i}`),
  );
  // opened at 0, resolved at 4 (74 < 75); 81 at 5 and 8 are within the 10 s cooldown.
  assert.deepEqual(seen, ["opened@0", "resolved@4"]);
});

test("memory and power are watched as percentages; unreported metrics are skipped", () => {
  const engine = new AlertEngine(DEFAULT_THRESHOLDS, 0);
  const changes = engine.evaluate(
    "n1",
    [
      {
        index: 0,
        uuid: "u",
        name: "G",
        memoryUsedMb: 23_900,
        memoryTotalMb: 24_564,
        powerDrawW: 200,
        powerLimitW: 450,
      },
    ],
    0,
  );
  assert.deepEqual(
    changes.map((c) => `${c.metric}:${c.level}`),
    ["memory:critical"],
  );
});
