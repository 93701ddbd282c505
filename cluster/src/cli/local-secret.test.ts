/**
 * A bare head on loopback (no TLS, no --cluster-secret) checks identity all the same, with real
 * processes: it makes a secret and writes it where only this user can read it; a call without a
 * credential is refused, while a worker and a driver on this machine given nothing find the
 * secret and are served. A worker that finds no secret for its head refuses to start. Every
 * process this file starts is stopped by its PID in `after`.
 */
import assert from "node:assert/strict";
import { chmod, mkdtemp, rm, stat } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { after, before, describe, it } from "node:test";
import * as grpc from "@grpc/grpc-js";
import { localSecretFile, newLocalSecret, readLocalSecret, writeLocalSecret } from "../auth/local-secret.js";
import { clusterServices } from "../grpc/proto.js";
import { ClusterClient } from "../index.js";
import { type RunningProcess, spawnEntry, startEntry, waitFor } from "./testing/processes.js";

const START_MS = 60_000;

describe("a bare loopback head checks identity with a secret of its own", { timeout: 120_000 }, () => {
  const processes: RunningProcess[] = [];
  let headAddress = "";
  let secretFile = "";
  let client: ClusterClient;

  before(async () => {
    const head = await startEntry({
      name: "head",
      entry: "head-main",
      args: ["--port", "0"],
      ready: /^neurogrid head listening on (\S+)$/,
      timeoutMs: START_MS,
    });
    processes.push(head.proc);
    headAddress = head.match[1] ?? "";
    secretFile = await waitFor(
      "the head to say where its secret is",
      () => /callers are identified with this head's own secret \(([^)\s]+)\)/.exec(head.proc.output())?.[1],
    );
    client = new ClusterClient({ headAddress });
  });

  after(async () => {
    client?.close();
    await Promise.all(processes.map((proc) => proc.stop()));
  });

  it("writes its secret for this user only", async () => {
    const port = Number(headAddress.slice(headAddress.lastIndexOf(":") + 1));
    assert.equal(secretFile, localSecretFile(port));
    assert.equal((await stat(secretFile)).mode & 0o777, 0o600);
    assert.equal((await stat(dirname(secretFile))).mode & 0o777, 0o700);
  });

  it("refuses a call without a credential, and serves a driver and a worker of this machine", async () => {
    const { head } = clusterServices();
    const raw = new grpc.Client(headAddress, grpc.credentials.createInsecure());
    try {
      const code = await new Promise<grpc.status | undefined>((resolve) =>
        raw.makeUnaryRequest(
          head.ListNodes.path,
          head.ListNodes.requestSerialize,
          head.ListNodes.responseDeserialize,
          {},
          (err) => resolve(err?.code),
        ),
      );
      assert.equal(code, grpc.status.UNAUTHENTICATED);
    } finally {
      raw.close();
    }
    const { proc } = await startEntry({
      name: "local-w",
      entry: "worker-main",
      args: ["--head", headAddress, "--node-id", "local-w", "--actor-pool-size", "0"],
      ready: /registered with head at /,
      timeoutMs: START_MS,
    });
    processes.push(proc);
    assert.deepEqual(
      (await client.listNodes()).map((n) => `${n.nodeId}:${n.state}`),
      ["local-w:ALIVE"],
    );
  });

  it("starts no worker that has no secret for its head", async () => {
    const proc = spawnEntry("no-secret", "worker-main", ["--head", "127.0.0.1:1", "--node-id", "no-secret"]);
    processes.push(proc);
    const { code } = await waitFor("the worker to exit", () => proc.exited, START_MS);
    assert.notEqual(code, 0);
    assert.match(proc.output(), /no cluster credential for the head at 127\.0\.0\.1:1/);
  });

  it("trusts no secret file that others may read", async () => {
    const dir = await mkdtemp(join(tmpdir(), "local-secret-"));
    try {
      await chmod(dir, 0o700);
      const secret = newLocalSecret();
      const file = writeLocalSecret(4242, secret, dir);
      assert.equal(readLocalSecret(4242, dir), secret);
      await chmod(file, 0o644);
      assert.equal(readLocalSecret(4242, dir), undefined);
      await chmod(file, 0o600);
      await chmod(dir, 0o755);
      assert.equal(readLocalSecret(4242, dir), undefined);
      assert.throws(() => writeLocalSecret(4243, secret, dir), /not this user's private directory/);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
