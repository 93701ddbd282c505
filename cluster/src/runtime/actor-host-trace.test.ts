/**
 * A caller's trace id travels with the call (CallOptions.traceId, on the channel's START frame)
 * and the actor host logs the call with it; calls without one are not logged. The actor host
 * runs in this process, on loopback.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { ActorChannels } from "../client/actor-channels.js";
import type { GrpcActorHandle } from "../client/actor-handle.js";
import type { LogFields } from "../logging/logger.js";
import { actorClasses } from "./actor-classes.js";
import { type ActorHost, startActorHost } from "./actor-host.js";
import { localHostHandle } from "./local-host-handle.js";

describe("trace ids on the call channel", { timeout: 60_000 }, () => {
  const lines: { message: string; fields: LogFields | undefined }[] = [];
  let host: ActorHost;
  let channels: ActorChannels;
  let handle: GrpcActorHandle;

  before(async () => {
    host = await startActorHost(
      {
        type: "start",
        actorId: "traced-1",
        className: "echo",
        initArgs: {},
        gpuIds: [],
        host: "127.0.0.1",
        maxConcurrency: 0,
      },
      {
        classes: actorClasses,
        cudaVisibleDevices: "",
        log: (message, fields) => lines.push({ message, fields }),
      },
    );
    channels = new ActorChannels({ window: 16, streamWindow: 16 });
    handle = localHostHandle(channels, host, { actorId: "traced-1", name: "traced", className: "echo" });
  });

  after(async () => {
    channels?.closeAll();
    await host?.stop(1_000);
  });

  it("logs the calls that carry a trace id, with it", async () => {
    await handle.call("echo", { n: 1 });
    await handle.call("echo", { n: 2 }, { traceId: "task-42" });
    await assert.rejects(handle.call("fail", {}, { traceId: "task-43" }));
    assert.deepEqual(
      lines.map((l) => [l.fields?.traceId, l.fields?.method, l.fields?.level]),
      [
        ["task-42", "echo", "info"],
        ["task-43", "fail", "warn"],
      ],
    );
    assert.match(lines[1]?.message ?? "", /^call fail INTERNAL: echo actor failed on purpose in [\d.]+ ms$/);
  });
});
