/**
 * `neurogrid certs init|issue` certificates in use, with real processes over mutual TLS on
 * loopback: each certificate names one identity, and the head, the worker and the actor accept
 * exactly what the rules allow (auth/rpc-rules.ts): a driver creates and calls actors, an
 * observer reads but cannot kill, a driver cannot start actor processes on a worker, and a worker
 * certificate cannot register as another node. Every process this file starts is stopped by its
 * PID in `after`.
 */
import assert from "node:assert/strict";
import { X509Certificate } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { unaryCall } from "../grpc/call.js";
import { ClientPool } from "../grpc/client-pool.js";
import { clusterServices } from "../grpc/proto.js";
import { loadTls, type TlsFiles } from "../grpc/tls.js";
import { ClusterClient } from "../index.js";
import { certsInit, certsIssue } from "./certs.js";
import { type RunningProcess, spawnEntry } from "./testing/processes.js";
import { startTestCluster, type TestCluster } from "./testing/test-cluster.js";

const EXIT_WITHIN_MS = 60_000;

describe("certificates from `neurogrid certs`, over real processes", { timeout: 180_000 }, () => {
  let dir: string;
  let cluster: TestCluster;
  let driver: ClusterClient;
  let observer: ClusterClient;
  const extra: RunningProcess[] = [];

  const files = (name: string): TlsFiles => ({
    caFile: join(dir, "ca.crt"),
    certFile: join(dir, `${name}.crt`),
    keyFile: join(dir, `${name}.key`),
  });
  const tlsArgs = (name: string) => {
    const f = files(name);
    return ["--tls-ca", f.caFile, "--tls-cert", f.certFile, "--tls-key", f.keyFile];
  };

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), "neurogrid-certs-"));
    certsInit(dir);
    for (const role of ["head", "driver", "observer"] as const) certsIssue(dir, { role });
    certsIssue(dir, { role: "worker", nodeId: "cert-a" });
    cluster = await startTestCluster({
      headArgs: tlsArgs("head"),
      workers: {
        "cert-a": [
          "--cpus",
          "2",
          "--memory-mb",
          "1024",
          "--actor-pool-size",
          "0",
          ...tlsArgs("worker-cert-a"),
        ],
      },
    });
    driver = new ClusterClient({ headAddress: cluster.headAddress, tls: loadTls(files("driver")) });
    observer = new ClusterClient({ headAddress: cluster.headAddress, tls: loadTls(files("observer")) });
  });

  after(async () => {
    driver?.close();
    observer?.close();
    await Promise.all(extra.map((proc) => proc.stop()));
    await cluster?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it("binds each certificate to its identity, with the keys readable by their owner only", () => {
    const worker = new X509Certificate(readFileSync(files("worker-cert-a").certFile));
    assert.match(worker.subjectAltName ?? "", /URI:neurogrid:\/\/worker\/cert-a/);
    assert.ok(worker.verify(new X509Certificate(readFileSync(files("driver").caFile)).publicKey));
    for (const key of [join(dir, "ca.key"), files("worker-cert-a").keyFile])
      assert.equal(statSync(key).mode & 0o777, 0o600, key);
    assert.throws(() => certsInit(dir), /already holds a CA/);
    assert.throws(() => certsIssue(dir, { role: "worker" }), /--node-id/);
  });

  it("lets a driver create and call an actor, and an observer read but not kill it", async () => {
    const spec = {
      name: "certified",
      namespace: "certs-test",
      className: "echo",
      initArgs: {},
      resources: { cpus: 1, memoryMb: 64, gpus: 0, custom: {} },
    };
    const handle = await driver.getOrCreateActor(spec, { timeoutMs: 60_000 });
    cluster.trackActor(handle.info.pid);
    assert.equal((await handle.call<{ args: unknown }>("echo", "hi")).args, "hi");
    assert.deepEqual(
      (await observer.listNodes()).map((n) => n.nodeId),
      ["cert-a"],
    );
    await assert.rejects(observer.killActor("certs-test", "certified"), { code: "PERMISSION_DENIED" });
    const seen = await observer.getActor("certs-test", "certified");
    await assert.rejects(seen.call("echo", "from an observer"), /observer may not call it/);
  });

  it("refuses a driver's StartActor on a worker: only the head starts actor processes", async () => {
    const [node] = await driver.listNodes();
    const pool = new ClientPool({}, loadTls(files("driver")));
    try {
      const request = { actorId: "rogue", spec: null, gpuIds: [] };
      await assert.rejects(
        unaryCall(pool.get(node?.address ?? ""), clusterServices().worker.StartActor, request, {
          timeoutMs: 10_000,
        }),
        { code: "PERMISSION_DENIED" },
      );
    } finally {
      pool.closeAll();
    }
  });

  it("refuses a worker certificate registering as another node", async () => {
    const args = ["--head", cluster.headAddress, "--node-id", "cert-b", "--actor-pool-size", "0"];
    const proc = spawnEntry("cert-b", "worker-main", [...args, ...tlsArgs("worker-cert-a")]);
    extra.push(proc);
    let timer: NodeJS.Timeout | undefined;
    const { code } = await Promise.race([
      proc.exited,
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`still running:\n${proc.output()}`)), EXIT_WITHIN_MS);
      }),
    ]).finally(() => clearTimeout(timer));
    assert.notEqual(code, 0);
    assert.match(proc.output(), /worker cert-a may not act for node "cert-b"/);
  });
});
