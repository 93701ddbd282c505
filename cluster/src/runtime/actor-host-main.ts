/**
 * Entry of an actor process, forked by a worker (one process per actor). It learns its actor
 * over IPC (actor-host-protocol.ts), starts the actor host and reports its port. It exits when
 * the worker disconnects (the worker died or stopped), on SIGTERM/SIGINT (after letting in-flight
 * calls finish), and with a non-zero status when the actor cannot be constructed.
 */
import { asClusterError } from "../grpc/status.js";
import { actorClasses } from "./actor-classes.js";
import { type ActorHost, startActorHost } from "./actor-host.js";
import { type ChildMessage, isStartMessage } from "./actor-host-protocol.js";

const STOP_GRACE_MS = 3_000;
const START_MESSAGE_TIMEOUT_MS = 30_000;

function send(message: ChildMessage): Promise<void> {
  return new Promise((resolve) => {
    if (!process.send || !process.connected) resolve();
    else process.send(message, undefined, {}, () => resolve());
  });
}

let host: ActorHost | undefined;
let stopping = false;

async function stop(exitCode: number): Promise<void> {
  if (stopping) return;
  stopping = true;
  try {
    await host?.stop(STOP_GRACE_MS);
  } finally {
    process.exit(exitCode);
  }
}

if (!process.send) {
  process.stderr.write("actor-host-main: must be forked by a worker (no IPC channel)\n");
  process.exit(2);
}

const waitingTimer = setTimeout(() => {
  process.stderr.write("actor-host-main: no start message from the worker\n");
  process.exit(2);
}, START_MESSAGE_TIMEOUT_MS);

process.on("disconnect", () => void stop(0));
process.on("SIGTERM", () => void stop(0));
process.on("SIGINT", () => void stop(0));

process.once("message", (message: unknown) => {
  clearTimeout(waitingTimer);
  if (!isStartMessage(message)) {
    void send({ type: "error", code: "INTERNAL", message: "bad start message" }).then(() => process.exit(2));
    return;
  }
  startActorHost(message, {
    classes: actorClasses,
    cudaVisibleDevices: process.env.CUDA_VISIBLE_DEVICES ?? "",
  })
    .then(async (started) => {
      host = started;
      await send({ type: "ready", port: started.port });
    })
    .catch(async (err: unknown) => {
      const error = asClusterError(err);
      await send({ type: "error", code: error.code, message: error.message });
      process.exit(1);
    });
});

void send({ type: "hello" });
