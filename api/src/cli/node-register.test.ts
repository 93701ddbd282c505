/**
 * `neurogrid node register --name … --config FILE`, run as a provider runs it against a real api:
 * the node's id and token are printed once and written into the worker's config file, mode 0600,
 * keeping what the file already said; a refused registration writes nothing.
 */
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { checkNodeToken } from "@neurogrid/schema";
import { parse } from "yaml";
import { type InProcessApi, startInProcessApi, TEST_NODE_TOKEN_SECRET } from "../testing/in-process-api.js";
import { CLI } from "../testing/local-cluster.js";

function neurogrid(
  args: string[],
  env: Record<string, string> = {},
): Promise<{ code: number | null; out: string; err: string }> {
  const clean = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith("NEUROGRID_")));
  const child = spawn(process.execPath, [CLI, ...args], {
    env: { ...clean, ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let out = "";
  let err = "";
  child.stdout.on("data", (d) => (out += String(d)));
  child.stderr.on("data", (d) => (err += String(d)));
  return new Promise((resolve) => child.once("exit", (code) => resolve({ code, out, err })));
}

describe("neurogrid node register", { timeout: 120_000 }, () => {
  const dir = mkdtempSync(join(tmpdir(), "node-register-"));
  let t: InProcessApi;
  let providerKey = "";
  let clientKey = "";
  let apiBase = "";

  before(async () => {
    t = await startInProcessApi();
    providerKey = (await t.account("register-provider", "provider")).key;
    clientKey = (await t.account("register-client", "client")).key;
    apiBase = t.url.replace(/\/graphql$/, "");
  });
  after(async () => {
    await t?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it("prints the node id and token once and writes them into a new config file, mode 0600", async () => {
    const config = join(dir, "new", "worker.yaml");
    const run = await neurogrid(
      ["node", "register", "--name", "gpu-box", "--config", config, "--head", "127.0.0.1:50051"],
      { NEUROGRID_API_URL: apiBase, NEUROGRID_API_KEY: providerKey },
    );
    assert.equal(run.code, 0, run.err);
    const id = /^node id: +(gpu-box-[0-9a-f]{8})$/m.exec(run.out)?.[1];
    const token = /^node token: +(\S+)$/m.exec(run.out)?.[1];
    assert.ok(id && token, run.out);
    assert.equal(statSync(config).mode & 0o777, 0o600);
    const written = parse(readFileSync(config, "utf8"));
    assert.deepEqual(written, {
      data_dir: join(dir, "new", `${id}-data`),
      node_id: id,
      node_token: token,
      api_url: apiBase,
      head_address: "127.0.0.1:50051",
    });
    const check = checkNodeToken(TEST_NODE_TOKEN_SECRET, token);
    assert.equal(check.ok && check.nodeId, id);
  });

  it("updates an existing config, keeping its other keys and comments", async () => {
    const config = join(dir, "existing.yaml");
    writeFileSync(config, "# my rig\nhead_address: 10.1.2.3:50051\nmax_cpu_cores: 4\nnode_id: old-id\n", {
      mode: 0o644,
    });
    const run = await neurogrid([
      "node",
      "register",
      "--name",
      "rig",
      "--config",
      config,
      "--api-url",
      t.url,
      "--api-key",
      providerKey,
    ]);
    assert.equal(run.code, 0, run.err);
    const text = readFileSync(config, "utf8");
    assert.match(text, /^# my rig$/m);
    const written = parse(text);
    assert.equal(written.head_address, "10.1.2.3:50051");
    assert.equal(written.max_cpu_cores, 4);
    assert.match(written.node_id, /^rig-[0-9a-f]{8}$/);
    assert.equal(statSync(config).mode & 0o777, 0o600);
  });

  it("a client's key is refused with the api's reason, and no file is written", async () => {
    const config = join(dir, "refused.yaml");
    const run = await neurogrid([
      "node",
      "register",
      "--name",
      "x",
      "--config",
      config,
      "--api-url",
      apiBase,
      "--api-key",
      clientKey,
    ]);
    assert.equal(run.code, 1);
    assert.match(run.err, /^neurogrid: the api refused the node: .+\((FORBIDDEN|UNAUTHENTICATED)\)\n$/);
    assert.equal(existsSync(config), false);
  });
});
