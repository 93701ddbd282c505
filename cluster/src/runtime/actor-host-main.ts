/**
 * Entry of an actor process, forked by a worker (one process per actor). It learns its actor
 * over IPC (actor-host-protocol.ts), starts the actor host and reports its port. It exits when
 * the worker disconnects (the worker died or stopped), when the worker asks it to stop or on
 * SIGTERM/SIGINT (after letting accepted calls finish), and with a non-zero status when the
 * actor cannot be constructed. A prestarted process (PRESTARTED_FLAG) has its modules and the
 * cluster contract loaded before it knows its actor, so that becoming one is quick.
 *
 * Call metrics: the host counts every call in one CallHistogram; every CALLS_FLUSH_MS what
 * accumulated goes to the worker as one "calls" message (nothing when no call ended), and a
 * graceful stop sends the rest before the process exits.
 */
import { clusterServices } from "../grpc/proto.js";
import { asClusterError } from "../grpc/status.js";
import { createLogger, logFn } from "../logging/logger.js";
import { CallHistogram } from "../metrics/call-histogram.js";
import { actorClasses } from "./actor-classes.js";
import { type ActorHost, startActorHost } from "./actor-host.js";
import {
  type ActorHostStart,
  type ChildMessage,
  isLeaseMessage,
  isStartMessage,
  isStopMessage,
  PRESTARTED_FLAG,
} from "./actor-host-protocol.js";

const SIGNAL_STOP_GRACE_MS = 3_000;
const START_MESSAGE_TIMEOUT_MS = 30_000;
/** How often call metrics go to the worker. */
const CALLS_FLUSH_MS = 1_000;

function send(message: ChildMessage): Promise<void> {
  return new Promise((resolve) => {
    if (!process.send || !process.connected) resolve();
    else process.send(message, undefined, {}, () => resolve());
  });
}

let host: ActorHost | undefined;
let started = false;
let stopping = false;
const calls = new CallHistogram();

/** Sends the calls that ended since the last flush, if any. */
function flushCalls(): Promise<void> {
  const series = calls.takeDelta();
  return series.length === 0 ? Promise.resolve() : send({ type: "calls", series });
}

async function stop(exitCode: number, graceMs: number): Promise<void> {
  if (stopping) return;
  stopping = true;
  try {
    await host?.stop(graceMs);
    await flushCalls();
  } finally {
    process.exit(exitCode);
  }
}

function start(message: ActorHostStart): void {
  started = true;
  clearTimeout(waitingTimer);
  // Before the actor (and any CUDA library it loads) starts: the GPUs the head assigned.
  process.env.CUDA_VISIBLE_DEVICES = message.gpuIds.join(",");
  const log = logFn(createLogger({ bindings: { component: "actor", actorId: message.actorId } }));
  startActorHost(message, {
    classes: actorClasses,
    cudaVisibleDevices: process.env.CUDA_VISIBLE_DEVICES,
    log,
    calls,
  })
    .then(async (running) => {
      host = running;
      await send({ type: "ready", port: running.port, info: running.info });
      setInterval(() => void flushCalls(), CALLS_FLUSH_MS).unref();
    })
    .catch(async (err: unknown) => {
      const error = asClusterError(err);
      await send({ type: "error", code: error.code, message: error.message });
      process.exit(1);
    });
}

if (!process.send) {
  process.stderr.write("actor-host-main: must be forked by a worker (no IPC channel)\n");
  process.exit(2);
}

const prestarted = process.argv.includes(PRESTARTED_FLAG);
const waitingTimer = prestarted
  ? undefined
  : setTimeout(() => {
      process.stderr.write("actor-host-main: no start message from the worker\n");
      process.exit(2);
    }, START_MESSAGE_TIMEOUT_MS);

process.on("disconnect", () => void stop(0, SIGNAL_STOP_GRACE_MS));
process.on("SIGTERM", () => void stop(0, SIGNAL_STOP_GRACE_MS));
process.on("SIGINT", () => void stop(0, SIGNAL_STOP_GRACE_MS));

process.on("message", (message: unknown) => {
  if (isStopMessage(message)) void stop(0, message.graceMs);
  else if (isLeaseMessage(message)) host?.renewLease(message.validForMs);
  else if (isStartMessage(message) && !started) start(message);
  else if (!started) {
    void send({ type: "error", code: "INTERNAL", message: "bad start message" }).then(() => process.exit(2));
  }
});

clusterServices();
void send({ type: "hello" });
