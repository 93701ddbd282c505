/**
 * The worker's side of the IPC handshake with an actor process (actor-host-protocol.ts): send
 * the start message once the child said hello (at once for a prestarted child, which said it
 * already), then wait for its port and the labels its instance reported (info). Fails with the
 * child's own error, when the child exits first, or after timeoutMs. Other messages (call
 * metrics, which only come later) are left to the caller's own listener.
 */
import type { ChildProcess } from "node:child_process";
import { ClusterError } from "../errors.js";
import { type ActorHostStart, type ChildMessage, isChildMessage } from "../runtime/actor-host-protocol.js";

export function handshake(
  child: ChildProcess,
  start: ActorHostStart,
  timeoutMs: number,
  saidHello: boolean,
): Promise<{ port: number; info: Record<string, string> }> {
  return new Promise((resolve, reject) => {
    const cleanup = () => {
      clearTimeout(timer);
      child.off("message", onMessage);
      child.off("exit", onExit);
      child.off("error", onError);
    };
    const fail = (error: ClusterError) => {
      cleanup();
      reject(error);
    };
    const onMessage = (message: unknown) => {
      if (isChildMessage(message)) handle(message);
    };
    const handle = (message: ChildMessage) => {
      if (message.type === "hello") child.send(start);
      else if (message.type === "ready") {
        cleanup();
        resolve({ port: message.port, info: message.info });
      } else if (message.type === "error")
        fail(new ClusterError(message.code, `actor ${start.actorId} failed to start: ${message.message}`));
    };
    const onExit = (code: number | null, signal: NodeJS.Signals | null) =>
      fail(
        new ClusterError(
          "INTERNAL",
          `actor ${start.actorId} process exited while starting (${signal ?? code})`,
        ),
      );
    const onError = (err: Error) =>
      fail(
        new ClusterError("INTERNAL", `actor ${start.actorId} process failed: ${err.message}`, {
          cause: err,
        }),
      );
    const timer = setTimeout(
      () =>
        fail(
          new ClusterError(
            "DEADLINE_EXCEEDED",
            `actor ${start.actorId} did not start within ${timeoutMs} ms`,
          ),
        ),
      timeoutMs,
    );
    child.on("message", onMessage);
    child.once("exit", onExit);
    child.once("error", onError);
    if (saidHello) child.send(start);
  });
}
