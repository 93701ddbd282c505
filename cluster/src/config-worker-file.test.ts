/**
 * The worker's config file (config-worker-file.ts): YAML or JSON, validated, below flags and
 * environment; relative paths from the file's folder; bad files are refused with the key named.
 */
import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import { parseWorkerConfig } from "./config-worker.js";
import { discoverResources } from "./worker/resources.js";

const dir = mkdtempSync(join(tmpdir(), "worker-config-file-"));
after(() => rmSync(dir, { recursive: true, force: true }));

function file(name: string, text: string): string {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
}

const YAML = `# a provider's machine
head_address: 127.0.0.1:50051
api_url: http://127.0.0.1:4000/
node_id: box-1a2b3c4d
node_token: ngn.token
max_cpu_cores: 6
max_memory_gb: 8
max_vram_gb: 10
data_dir: ./box-data
metrics_port: 9109
telemetry_interval: 2s
labels: { zone: eu, tier: 2 }
resources: { special: 2 }
fake_gpus: [{ name: Fake GPU, memoryMb: 16384 }]
tls: { ca: certs/ca.pem, cert: certs/w.pem, key: certs/w-key.pem }
`;

describe("worker --config FILE", () => {
  it("reads every key of a YAML file into the worker's config", () => {
    const config = parseWorkerConfig(["--config", file("worker.yaml", YAML)], {});
    assert.equal(config.headAddress, "127.0.0.1:50051");
    assert.equal(config.artifactOrigin, "http://127.0.0.1:4000");
    assert.equal(config.nodeId, "box-1a2b3c4d");
    assert.equal(config.nodeToken, "ngn.token");
    assert.equal(config.cpus, 6);
    assert.equal(config.memoryMb, 8 * 1024);
    assert.equal(config.maxVramMb, 10 * 1024);
    assert.equal(config.dataDir, join(dir, "box-data"));
    assert.equal(config.modelCacheDir, join(dir, "box-data", "models"));
    assert.equal(config.metricsPort, 9109);
    assert.equal(config.telemetryIntervalMs, 2_000);
    assert.deepEqual(config.labels, { zone: "eu", tier: "2" });
    assert.deepEqual(config.custom, { special: 2 });
    assert.deepEqual(config.fakeGpus, [{ name: "Fake GPU", memoryMb: 16384 }]);
    assert.equal(config.tlsCa, join(dir, "certs/ca.pem"));
    assert.equal(config.tlsKey, join(dir, "certs/w-key.pem"));
  });

  it("reads JSON, and NEUROGRID_WORKER_CONFIG names the file when --config does not", () => {
    const path = file("worker.json", JSON.stringify({ head_address: "10.0.0.5:50051", node_id: "j-1" }));
    const config = parseWorkerConfig(["--insecure", "--cluster-secret", "s".repeat(32)], {
      NEUROGRID_WORKER_CONFIG: path,
    });
    assert.equal(config.headAddress, "10.0.0.5:50051");
    assert.equal(config.nodeId, "j-1");
  });

  it("lets the environment override the file, and flags override both", () => {
    const path = file("override.yaml", YAML);
    const env = { NEUROGRID_CPUS: "3", NEUROGRID_NODE_ID: "from-env" };
    const config = parseWorkerConfig(["--config", path, "--node-id", "from-flag"], env);
    assert.equal(config.cpus, 3);
    assert.equal(config.nodeId, "from-flag");
    assert.equal(config.headAddress, "127.0.0.1:50051");
  });

  it("refuses unknown keys, wrong types and unparsable files, naming the key and the file", () => {
    const unknown = file("unknown.yaml", "head_address: 127.0.0.1:1\ncoordinator: x\n");
    assert.throws(() => parseWorkerConfig(["--config", unknown], {}), {
      code: "INVALID_ARGUMENT",
      message: new RegExp(`invalid worker config ${unknown}: .*coordinator`),
    });
    const elsewhere = file("elsewhere.yaml", "head_address: 127.0.0.1:1\nheartbeat_interval: 5\n");
    assert.throws(
      () => parseWorkerConfig(["--config", elsewhere], {}),
      /heartbeat_interval: the head sets it/,
    );
    const wrongType = file("wrong.yaml", "head_address: 127.0.0.1:1\nmax_cpu_cores: many\n");
    assert.throws(() => parseWorkerConfig(["--config", wrongType], {}), /max_cpu_cores/);
    const broken = file("broken.json", "{ not json");
    assert.throws(() => parseWorkerConfig(["--config", broken], {}), /does not parse/);
    const badValue = file("bad-value.yaml", "head_address: nowhere\n");
    assert.throws(() => parseWorkerConfig(["--config", badValue], {}), new RegExp(`--head.*${badValue}`));
    assert.throws(() => parseWorkerConfig(["--config", join(dir, "missing.yaml")], {}), /cannot read/);
  });

  it("offers at most max_vram_gb of each GPU", async () => {
    const config = parseWorkerConfig(["--config", file("vram.yaml", YAML)], {});
    const resources = await discoverResources(config);
    assert.deepEqual(
      resources.gpus.map((g) => g.memoryMb),
      [10 * 1024],
    );
    assert.equal(resources.cpus, 6);
  });
});
