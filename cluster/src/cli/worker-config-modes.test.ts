/**
 * `worker --config FILE --test-config` and `--stop`, with a real head and worker on loopback: the
 * check says in one line whether the head answers and accepts the node's token (registering
 * nothing), and --stop ends the worker started from the same config gracefully, by its pid file.
 */
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { fileURLToPath } from "node:url";
import { signNodeToken } from "@neurogrid/schema";
import { ClusterClient } from "../index.js";
import { type RunningProcess, startEntry, waitFor } from "./testing/processes.js";

const SECRET = "worker-config-modes-test-secret";
const START_MS = 60_000;
const WORKER_MAIN = fileURLToPath(new URL("./worker-main.js", import.meta.url));

/** Runs `worker-main ARGS` to its end; its exit status and output. */
function once(args: string[]): Promise<{ code: number | null; output: string }> {
  const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith("NEUROGRID_")));
  const child = spawn(process.execPath, [WORKER_MAIN, ...args], { env, stdio: ["ignore", "pipe", "pipe"] });
  let output = "";
  child.stdout.on("data", (d) => (output += String(d)));
  child.stderr.on("data", (d) => (output += String(d)));
  return new Promise((resolve) => child.once("exit", (code) => resolve({ code, output })));
}

describe("worker --config FILE: --test-config and --stop", { timeout: 120_000 }, () => {
  const dir = mkdtempSync(join(tmpdir(), "worker-config-modes-"));
  const processes: RunningProcess[] = [];
  let headAddress = "";
  let client: ClusterClient;

  function config(name: string, nodeId: string, token: string, head = headAddress): string {
    const path = join(dir, `${name}.yaml`);
    const lines = [`head_address: ${head}`, `node_id: ${nodeId}`, `node_token: ${token}`];
    lines.push(`data_dir: ./${name}-data`, "max_cpu_cores: 1", "max_memory_gb: 1", "fake_gpus: []");
    writeFileSync(path, `${lines.join("\n")}\n`, { mode: 0o600 });
    return path;
  }

  before(async () => {
    const head = await startEntry({
      name: "head",
      entry: "head-main",
      args: ["--port", "0", "--node-token-secret", SECRET],
      ready: /^neurogrid head listening on (\S+)$/,
      timeoutMs: START_MS,
    });
    processes.push(head.proc);
    headAddress = head.match[1] ?? "";
    client = new ClusterClient({ headAddress, callTimeoutMs: 10_000 });
  });

  after(async () => {
    client?.close();
    await Promise.all(processes.map((proc) => proc.stop()));
    rmSync(dir, { recursive: true, force: true });
  });

  it("--help names the config modes and every flag with its environment variable", async () => {
    const { code, output } = await once(["--help"]);
    assert.equal(code, 0, output);
    assert.match(output, /^usage: neurogrid worker --head HOST:PORT/);
    assert.match(output, /--config FILE --test-config/);
    assert.match(output, /^ {2}--node-token VALUE +NEUROGRID_NODE_TOKEN$/m);
    assert.match(output, /^ {2}--insecure +NEUROGRID_INSECURE$/m);
  });

  it("--test-config: exit 0 when the head accepts the token, and nothing is registered", async () => {
    const path = config("good", "cfg-good", signNodeToken(SECRET, "cfg-good"));
    const { code, output } = await once(["--config", path, "--test-config"]);
    assert.equal(code, 0, output);
    assert.equal(output, `config ok: the head at ${headAddress} answers and accepts node cfg-good\n`);
    const nodes = await client.listNodes();
    assert.equal(
      nodes.find((n) => n.nodeId === "cfg-good"),
      undefined,
    );
  });

  it("--test-config: exit 1 with one line when the token is refused or the head does not answer", async () => {
    const forged = config("forged", "cfg-forged", signNodeToken("another-secret-entirely", "cfg-forged"));
    const refused = await once(["--config", forged, "--test-config"]);
    assert.equal(refused.code, 1, refused.output);
    assert.match(
      refused.output,
      /^config not ok: the head at \S+ refuses node cfg-forged: [^\n]*token[^\n]*\n$/,
    );

    const stolen = config("stolen", "cfg-other", signNodeToken(SECRET, "cfg-good"));
    assert.equal((await once(["--config", stolen, "--test-config"])).code, 1);

    const nowhere = config("nowhere", "cfg-good", signNodeToken(SECRET, "cfg-good"), "127.0.0.1:1");
    const down = await once(["--config", nowhere, "--test-config", "--cluster-secret", "s".repeat(32)]);
    assert.equal(down.code, 1, down.output);
    assert.match(down.output, /^config not ok: the head at 127\.0\.0\.1:1 does not answer: [^\n]*\n$/);
  });

  it("--stop ends the worker started from the config, which leaves the head; a second --stop finds none", async () => {
    const path = config("running", "cfg-run", signNodeToken(SECRET, "cfg-run"));
    const { proc } = await startEntry({
      name: "cfg-run",
      entry: "worker-main",
      args: ["--config", path, "--actor-pool-size", "0"],
      ready: /registered with head at /,
      timeoutMs: START_MS,
    });
    processes.push(proc);
    assert.ok(existsSync(join(dir, "running-data", "worker.pid")));
    const alive = await client.listNodes();
    assert.equal(alive.find((n) => n.nodeId === "cfg-run")?.state, "ALIVE");

    const second = await once(["--config", path]);
    assert.notEqual(second.code, 0);
    assert.match(second.output, /already runs from/);

    const stop = await once(["--config", path, "--stop"]);
    assert.equal(stop.code, 0, stop.output);
    assert.equal(stop.output, `worker cfg-run (pid ${proc.pid}) stopped\n`);
    const exit = await waitFor("the worker's exit", () => proc.exited, 10_000);
    assert.equal(exit.code, 0, proc.output());
    assert.equal(existsSync(join(dir, "running-data", "worker.pid")), false);

    const again = await once(["--config", path, "--stop"]);
    assert.equal(again.code, 1);
    assert.equal(again.output, `no worker is running from ${join(dir, "running-data")}\n`);
  });
});
