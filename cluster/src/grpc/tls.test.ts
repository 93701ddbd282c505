/**
 * Transport security: actor processes serving over mutual TLS with certificates made by the
 * test (openssl), callers with and without the right certificates, and the rule that plain
 * text is only for loopback.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { ActorFixture } from "../cli/testing/actor-fixture.js";
import { makePki, opensslMissing, type TestPki } from "../cli/testing/certs.js";
import { ActorChannels } from "../client/actor-channels.js";
import { parseWorkerConfig } from "../config-worker.js";
import { assertBindAllowed, isLoopback, loadTls, type TlsFiles } from "./tls.js";

describe("plain text only on loopback", () => {
  it("knows loopback hosts", () => {
    for (const host of ["127.0.0.1", "127.1.2.3", "localhost", "::1", "[::1]"])
      assert.ok(isLoopback(host), host);
    for (const host of ["0.0.0.0", "::", "10.0.0.5", "example.com"]) assert.ok(!isLoopback(host), host);
  });

  it("refuses to bind a non-loopback host without TLS unless insecure", () => {
    assert.throws(() => assertBindAllowed("0.0.0.0", {}), {
      code: "INVALID_ARGUMENT",
      message: /--insecure/,
    });
    assertBindAllowed("0.0.0.0", { insecure: true });
    assertBindAllowed("127.0.0.1", {});
    assertBindAllowed("0.0.0.0", { tls: { ca: "c", cert: "c", key: "k" } });
  });

  it("makes the worker's config say so", () => {
    const head = ["--head", "127.0.0.1:1"];
    assert.throws(
      () => parseWorkerConfig([...head, "--host", "0.0.0.0"], {}),
      /--host.*not loopback.*--insecure/,
    );
    // Plain text off loopback only with a cluster secret: callers are never anonymous there.
    assert.throws(
      () => parseWorkerConfig([...head, "--host", "0.0.0.0", "--insecure"], {}),
      /--host.*not loopback.*--cluster-secret/,
    );
    const secret = ["--cluster-secret", "s".repeat(32)];
    assert.equal(
      parseWorkerConfig([...head, "--host", "0.0.0.0", "--insecure", ...secret], {}).insecure,
      true,
    );
    assert.equal(
      parseWorkerConfig([...head, "--host", "0.0.0.0", ...secret], { NEUROGRID_INSECURE: "1" }).insecure,
      true,
    );
    assert.throws(() => parseWorkerConfig([...head, "--tls-ca", "ca.crt"], {}), /--tls-ca.*together/);
    const tls = parseWorkerConfig(
      [...head, "--host", "0.0.0.0", "--tls-ca", "a", "--tls-cert", "b", "--tls-key", "c"],
      {},
    );
    assert.deepEqual([tls.tlsCa, tls.tlsCert, tls.tlsKey, tls.insecure], ["a", "b", "c", false]);
  });
});

const missing = opensslMissing();

describe("actor calls over mutual TLS", { timeout: 120_000, skip: missing }, () => {
  let pki: TestPki;
  let fixture: ActorFixture;
  const extra: ActorChannels[] = [];

  before(() => {
    pki = makePki(["worker", "driver"]);
    fixture = new ActorFixture(
      { tls: pki.material("driver") },
      { security: { tls: pki.material("worker") } },
    );
  });

  after(async () => {
    for (const channels of extra) channels.closeAll();
    await fixture?.close();
    pki?.remove();
  });

  function channelsWith(tls: TlsFiles | undefined) {
    const channels = new ActorChannels({ window: 16, streamWindow: 8, tls: tls && loadTls(tls) });
    extra.push(channels);
    return channels;
  }

  it("answers a caller with a certificate from the cluster's CA", async () => {
    const info = await fixture.start("secure");
    assert.deepEqual((await fixture.handle(info).call<{ args: unknown }>("echo", "hi")).args, "hi");
    const items: number[] = [];
    for await (const item of fixture.handle(info).stream<number>("count", { n: 3 })) items.push(item);
    assert.deepEqual(items, [0, 1, 2]);
  });

  it("refuses a plain-text caller and a caller whose certificate another CA signed", async () => {
    const info = await fixture.start("guarded");
    const args = Buffer.from("1");
    await assert.rejects(
      channelsWith(undefined).get(info.address).unary("echo", args, { timeoutMs: 10_000 }),
      {
        code: "UNAVAILABLE",
      },
    );
    const rogue = makePki(["rogue"]);
    try {
      await assert.rejects(
        channelsWith(rogue.files("rogue")).get(info.address).unary("echo", args, { timeoutMs: 10_000 }),
        { code: "UNAVAILABLE" },
      );
    } finally {
      rogue.remove();
    }
  });
});
