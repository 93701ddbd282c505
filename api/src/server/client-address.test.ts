import assert from "node:assert/strict";
import type { IncomingMessage } from "node:http";
import { test } from "node:test";
import { clientAddress } from "./client-address.js";

const request = (remoteAddress: string, forwarded?: string) =>
  ({
    socket: { remoteAddress },
    headers: forwarded === undefined ? {} : { "x-forwarded-for": forwarded },
  }) as unknown as IncomingMessage;

test("the client address of an upgrade: the peer, or what a local proxy forwarded", () => {
  assert.equal(
    clientAddress(request("203.0.113.9", "198.51.100.1")),
    "203.0.113.9",
    "a remote peer is not trusted",
  );
  assert.equal(clientAddress(request("127.0.0.1")), "127.0.0.1");
  assert.equal(
    clientAddress(request("127.0.0.1", "198.51.100.1, 203.0.113.7")),
    "203.0.113.7",
    "the nearest hop",
  );
  assert.equal(
    clientAddress(request("::1", "203.0.113.7, 127.0.0.1")),
    "203.0.113.7",
    "loopback hops skipped",
  );
  assert.equal(clientAddress(request("::ffff:127.0.0.1", "198.51.100.2")), "198.51.100.2");
  assert.equal(clientAddress(request("::1", "127.0.0.1")), "127.0.0.1", "only loopback: the last one");
});
