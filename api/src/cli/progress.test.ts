/**
 * The CLI's progress reporter as a user sees it: on a terminal one live line redrawn in place
 * (step counts, percentage, elapsed time) and one final line; in a pipe plain lines, one per
 * step, with no control characters; nothing with --quiet or --json. Results always reach
 * stdout, and on a terminal they do not land in the middle of the live line.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { formatElapsed, Progress, type ProgressMode, type ProgressStream, progressMode } from "./progress.js";

class Capture implements ProgressStream {
  text = "";
  constructor(
    readonly isTTY = false,
    readonly columns?: number,
  ) {}
  write(text: string): boolean {
    this.text += text;
    return true;
  }
}

function reporter(mode: ProgressMode, columns?: number) {
  let clock = 0;
  const err = new Capture(mode === "tty", columns);
  const out = new Capture();
  const progress = new Progress({
    title: "model register",
    steps: 3,
    mode,
    stream: err,
    out,
    now: () => clock,
    redrawMs: 0,
  });
  return { progress, err, out, tick: (ms: number) => (clock += ms) };
}

/** What a terminal shows: \r returns to the line's start, ESC[2K clears the line. */
function screen(text: string): string[] {
  return text.split("\n").map((line) => line.split("\r").at(-1)?.split("\x1b[2K").at(-1) ?? "");
}

const hasControls = (text: string) => text.includes("\r") || text.includes("\x1b");

async function runSteps(r: ReturnType<typeof reporter>): Promise<void> {
  await r.progress.run(async (p) => {
    p.step("reading the manifest");
    r.tick(100);
    p.step("reading model.onnx", 1000);
    r.tick(100);
    p.advance(250);
    r.tick(100);
    p.print("a result line");
    p.advance(1000);
    p.step("storing");
    r.tick(1200);
  });
}

describe("progress reporter", () => {
  it("draws one live line on a terminal, with step counts, percentage and elapsed time", async () => {
    const r = reporter("tty");
    await runSteps(r);
    assert.match(r.err.text, /\[1\/3\] reading the manifest · 0\.0s/);
    assert.match(r.err.text, /\[2\/3\] reading model\.onnx 0% · 0\.1s/);
    assert.match(r.err.text, /\[2\/3\] reading model\.onnx 25% · 0\.2s/);
    assert.match(r.err.text, /\[3\/3\] storing · 0\.3s/);
    // Only the final line stays on the screen, and every redraw starts by clearing the line.
    assert.deepEqual(screen(r.err.text), ["✔ model register done in 1.5s", ""]);
    assert.equal(r.err.text.split("\n").length, 2, "one line feed: the final line's");
    assert.equal(r.out.text, "a result line\n");
  });

  it("clears the live line before other output and draws it again after", () => {
    const both = new Capture(true);
    const shared = new Progress({
      title: "up",
      steps: 2,
      mode: "tty",
      stream: both,
      out: both,
      now: () => 0,
      redrawMs: 0,
    });
    shared.step("starting the head");
    shared.print("head       127.0.0.1:1234");
    shared.note("[head] listening");
    const [first, second, live, ...rest] = screen(both.text);
    assert.deepEqual([first, second, rest], ["head       127.0.0.1:1234", "[head] listening", []]);
    assert.match(live ?? "", /^. up \[1\/2\] starting the head · 0\.0s$/);
    shared.fail();
    assert.equal(screen(both.text).at(-2), "✖ up failed at [1/2] starting the head after 0.0s");
  });

  it("cuts the live line to the terminal's width", () => {
    const r = reporter("tty", 20);
    r.progress.step("a very long step label that would wrap");
    const live = screen(r.err.text).at(-1) ?? "";
    assert.equal(live.length, 19);
  });

  it("prints one plain line per step when stderr is not a terminal", async () => {
    const r = reporter("plain");
    await runSteps(r);
    assert.equal(
      r.err.text,
      [
        "model register [1/3] reading the manifest",
        "model register [2/3] reading model.onnx",
        "model register [3/3] storing",
        "model register done in 1.5s",
        "",
      ].join("\n"),
    );
    assert.ok(!hasControls(r.err.text), "no control characters");
    assert.equal(r.out.text, "a result line\n");
  });

  it("says where it failed", async () => {
    const r = reporter("plain");
    await assert.rejects(
      r.progress.run(async (p) => {
        p.step("connecting to the database");
        r.tick(2000);
        throw new Error("refused");
      }),
      /refused/,
    );
    assert.match(r.err.text, /model register failed at \[1\/3\] connecting to the database after 2\.0s\n$/);
  });

  it("is silent with --quiet or --json; results still reach stdout", async () => {
    const r = reporter("silent");
    await runSteps(r);
    assert.equal(r.err.text, "");
    assert.equal(r.out.text, "a result line\n");
    const tty = new Capture(true);
    assert.equal(progressMode({ quiet: true }, tty, {}), "silent");
    assert.equal(progressMode({ json: true }, tty, {}), "silent");
    assert.equal(progressMode({}, tty, {}), "tty");
    assert.equal(progressMode({}, tty, { TERM: "dumb" }), "plain");
    assert.equal(progressMode({}, new Capture(false), {}), "plain");
  });

  it("formats elapsed time", () => {
    assert.equal(formatElapsed(0), "0.0s");
    assert.equal(formatElapsed(59_949), "59.9s");
    assert.equal(formatElapsed(65_000), "1m05s");
  });
});
