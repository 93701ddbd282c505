import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { parseHeadConfig } from "./config-head.js";
import { parseWorkerConfig } from "./config-worker.js";

describe("parseHeadConfig", () => {
  it("applies defaults", () => {
    assert.deepEqual(parseHeadConfig([], {}), {
      host: "127.0.0.1",
      port: 50051,
      heartbeatTimeoutMs: 10_000,
      heartbeatIntervalMs: 1_000,
      restoreGraceMs: 5_000,
      actorStartTimeoutMs: 120_000,
      spreadThreshold: 0.5,
      storage: "memory",
      storagePrefix: "neurogrid:head:",
      gpuCriticalTempC: 90,
      insecure: false,
    });
  });

  it("parses the GPU critical temperature and the metrics port", () => {
    const config = parseHeadConfig(["--gpu-critical-temp-c", "85", "--metrics-port", "0"], {});
    assert.equal(config.gpuCriticalTempC, 85);
    assert.equal(config.metricsPort, 0);
    assert.equal(parseHeadConfig([], { NEUROGRID_HEAD_METRICS_PORT: "9464" }).metricsPort, 9464);
  });

  it("takes flags over environment variables", () => {
    const config = parseHeadConfig(["--port", "0", "--heartbeat-timeout-ms", "1500"], {
      NEUROGRID_HEAD_PORT: "7000",
      NEUROGRID_HEAD_HOST: "0.0.0.0",
      NEUROGRID_INSECURE: "1",
      NEUROGRID_CLUSTER_SECRET: "s".repeat(32),
      NEUROGRID_NODE_TOKEN: "s3cret",
    });
    assert.equal(config.port, 0);
    assert.equal(config.host, "0.0.0.0");
    assert.equal(config.nodeToken, "s3cret");
    assert.equal(config.heartbeatTimeoutMs, 1500);
    assert.equal(config.heartbeatIntervalMs, 500);
  });

  it("rejects bad values, naming the flag", () => {
    assert.throws(() => parseHeadConfig(["--port", "70000"], {}), {
      code: "INVALID_ARGUMENT",
      message: /--port/,
    });
    assert.throws(() => parseHeadConfig([], { NEUROGRID_HEAD_PORT: "abc" }), /NEUROGRID_HEAD_PORT/);
    assert.throws(() => parseHeadConfig(["--heartbeat-timeout-ms", "-5"], {}), /--heartbeat-timeout-ms/);
    assert.throws(
      () => parseHeadConfig(["--heartbeat-timeout-ms", "100", "--heartbeat-interval-ms", "200"], {}),
      /--heartbeat-interval-ms.*shorter/,
    );
  });

  it("takes a node token secret, not together with a shared node token", () => {
    const secret = "0123456789abcdef";
    assert.equal(parseHeadConfig([], { NEUROGRID_NODE_TOKEN_SECRET: secret }).nodeTokenSecret, secret);
    assert.throws(() => parseHeadConfig(["--node-token-secret", "short"], {}), /--node-token-secret.*16/);
    assert.throws(
      () => parseHeadConfig(["--node-token", "t", "--node-token-secret", secret], {}),
      /--node-token-secret.*not both/,
    );
  });

  it("refuses a non-loopback host without TLS unless --insecure with a cluster secret", () => {
    assert.throws(() => parseHeadConfig(["--host", "0.0.0.0"], {}), /--host.*not loopback.*--insecure/);
    assert.throws(() => parseHeadConfig(["--host", "0.0.0.0", "--insecure"], {}), /--cluster-secret/);
    const secret = { NEUROGRID_CLUSTER_SECRET: "s".repeat(32) };
    assert.equal(parseHeadConfig(["--host", "0.0.0.0", "--insecure"], secret).insecure, true);
    const tls = parseHeadConfig(
      ["--host", "0.0.0.0", "--tls-ca", "ca", "--tls-cert", "crt", "--tls-key", "key"],
      {},
    );
    assert.deepEqual([tls.tlsCa, tls.tlsCert, tls.tlsKey, tls.insecure], ["ca", "crt", "key", false]);
    assert.throws(() => parseHeadConfig(["--tls-cert", "crt"], {}), /together/);
  });

  it("rejects unknown flags and positionals", () => {
    assert.throws(() => parseHeadConfig(["--prot", "1"], {}), { code: "INVALID_ARGUMENT", message: /prot/ });
    assert.throws(() => parseHeadConfig(["extra"], {}), { code: "INVALID_ARGUMENT" });
  });
});

describe("parseWorkerConfig telemetry", () => {
  it("polls every second by default, at most every 250 ms, and may replay a recording", () => {
    const base = ["--head", "127.0.0.1:1"];
    assert.equal(parseWorkerConfig(base, {}).telemetryIntervalMs, 1_000);
    assert.equal(parseWorkerConfig([...base, "--telemetry-interval-ms", "250"], {}).telemetryIntervalMs, 250);
    assert.throws(
      () => parseWorkerConfig([...base, "--telemetry-interval-ms", "100"], {}),
      /telemetry-interval-ms/,
    );
    const replay = parseWorkerConfig(base, { NEUROGRID_TELEMETRY_REPLAY: "gpus.csv" });
    assert.equal(replay.telemetryReplay, "gpus.csv");
    assert.equal(replay.metricsPort, undefined);
  });
});

describe("parseWorkerConfig", () => {
  it("needs the head address", () => {
    assert.throws(() => parseWorkerConfig([], {}), { code: "INVALID_ARGUMENT", message: /--head/ });
    assert.throws(() => parseWorkerConfig(["--head", "nohost"], {}), /HOST:PORT/);
  });

  it("parses every option", () => {
    const config = parseWorkerConfig(
      [
        "--head=127.0.0.1:50051",
        "--node-id",
        "gpu-1",
        "--cpus",
        "3",
        "--memory-mb",
        "2048",
        "--fake-gpus",
        '[{"name":"Fake GPU","memoryMb":16384},{"name":"Fake GPU","memoryMb":16384}]',
        "--label",
        "zone=a",
        "--label",
        "tier=gold=1",
        "--resource",
        "tpu=2",
      ],
      { NEUROGRID_NODE_TOKEN: "t" },
    );
    assert.equal(config.headAddress, "127.0.0.1:50051");
    assert.equal(config.host, "127.0.0.1");
    assert.equal(config.advertiseHost, "127.0.0.1");
    assert.equal(config.port, 0);
    assert.equal(config.nodeId, "gpu-1");
    assert.equal(config.cpus, 3);
    assert.equal(config.memoryMb, 2048);
    assert.deepEqual(config.fakeGpus, [
      { name: "Fake GPU", memoryMb: 16384 },
      { name: "Fake GPU", memoryMb: 16384 },
    ]);
    assert.equal(config.nodeToken, "t");
    assert.deepEqual(config.labels, { zone: "a", tier: "gold=1" });
    assert.deepEqual(config.custom, { tpu: 2 });
  });

  it("reads the environment, with lists comma-separated", () => {
    const config = parseWorkerConfig([], {
      NEUROGRID_HEAD_ADDRESS: "[::1]:50051",
      NEUROGRID_WORKER_HOST: "0.0.0.0",
      NEUROGRID_INSECURE: "true",
      NEUROGRID_CLUSTER_SECRET: "s".repeat(32),
      NEUROGRID_FAKE_GPUS: '[{"name":"G","memoryMb":1}]',
      NEUROGRID_LABELS: "a=1,b=2",
    });
    assert.equal(config.headAddress, "[::1]:50051");
    assert.equal(config.advertiseHost, "127.0.0.1");
    assert.equal(config.fakeGpus?.length, 1);
    assert.deepEqual(config.labels, { a: "1", b: "2" });
    assert.match(config.nodeId, /^[\w.-]+-\d+$/);
  });

  it("rejects bad fake GPUs, labels and numbers", () => {
    const head = ["--head", "127.0.0.1:1"];
    assert.throws(() => parseWorkerConfig([...head, "--fake-gpus", "[{"], {}), /--fake-gpus.*not valid JSON/);
    assert.throws(() => parseWorkerConfig([...head, "--fake-gpus", '[{"name":"x"}]'], {}), /--fake-gpus/);
    assert.throws(() => parseWorkerConfig([...head, "--label", "novalue"], {}), /--label.*KEY=VALUE/);
    assert.throws(() => parseWorkerConfig([...head, "--resource", "tpu=lots"], {}), /--resource/);
    assert.throws(() => parseWorkerConfig([...head, "--cpus", "0"], {}), /--cpus/);
    assert.throws(() => parseWorkerConfig([...head, "--node-id", "has space"], {}), /--node-id/);
  });
});
