/**
 * The head over mutual TLS, with real processes on loopback and certificates made by the test
 * (openssl; skipped with the reason where it is absent): a worker whose certificate names its
 * node id registers and runs actors that a driver with a certificate calls; a worker presenting
 * another node's certificate, and a plain-text caller, are refused. Every process this file
 * starts is stopped by its PID in `after`.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { ClusterClient } from "../index.js";
import { makePki, opensslMissing, type TestPki } from "./testing/certs.js";
import { type RunningProcess, spawnEntry } from "./testing/processes.js";
import { startTestCluster, type TestCluster } from "./testing/test-cluster.js";

const missing = opensslMissing();
const EXIT_WITHIN_MS = 60_000;

describe("the head over mutual TLS", { timeout: 180_000, skip: missing }, () => {
  let pki: TestPki;
  let cluster: TestCluster;
  let client: ClusterClient;
  const extra: RunningProcess[] = [];

  const tlsArgs = (name: string) => {
    const files = pki.files(name);
    return ["--tls-ca", files.caFile, "--tls-cert", files.certFile, "--tls-key", files.keyFile];
  };

  before(async () => {
    pki = makePki(["head", "tls-a", "driver"]);
    cluster = await startTestCluster({
      headArgs: tlsArgs("head"),
      workers: {
        "tls-a": ["--cpus", "2", "--memory-mb", "1024", "--actor-pool-size", "0", ...tlsArgs("tls-a")],
      },
    });
    client = new ClusterClient({ headAddress: cluster.headAddress, tls: pki.material("driver") });
  });

  after(async () => {
    client?.close();
    await Promise.all(extra.map((proc) => proc.stop()));
    await cluster?.stop();
    pki?.remove();
  });

  it("registers a worker whose certificate names its node id, and serves a driver's actors", async () => {
    assert.deepEqual(
      (await client.listNodes()).map((n) => `${n.nodeId}:${n.state}`),
      ["tls-a:ALIVE"],
    );
    const handle = await client.getOrCreateActor(
      {
        name: "secure",
        namespace: "head-tls-test",
        className: "echo",
        initArgs: {},
        resources: { cpus: 1, memoryMb: 64, gpus: 0, custom: {} },
      },
      { timeoutMs: 60_000 },
    );
    cluster.trackActor(handle.info.pid);
    assert.equal((await handle.call<{ args: unknown }>("echo", "over tls")).args, "over tls");
  });

  it("refuses a worker presenting a certificate issued for another node", async () => {
    const args = ["--head", cluster.headAddress, "--node-id", "tls-b", "--actor-pool-size", "0"];
    const proc = spawnEntry("tls-b", "worker-main", [...args, ...tlsArgs("tls-a")]);
    extra.push(proc);
    let timer: NodeJS.Timeout | undefined;
    const { code } = await Promise.race([
      proc.exited,
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`still running:\n${proc.output()}`)), EXIT_WITHIN_MS);
      }),
    ]).finally(() => clearTimeout(timer));
    assert.notEqual(code, 0);
    assert.match(proc.output(), /worker tls-a may not act for node "tls-b"/);
    assert.ok(!(await client.listNodes()).some((n) => n.nodeId === "tls-b"));
  });

  it("refuses a plain-text caller", async () => {
    const plain = new ClusterClient({ headAddress: cluster.headAddress });
    try {
      await assert.rejects(plain.listNodes(), { code: "UNAVAILABLE" });
    } finally {
      plain.close();
    }
  });
});
