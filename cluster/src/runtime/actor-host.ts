/**
 * What an actor process does once it knows its actor: construct the class from the registry,
 * serve the Actor service for that one instance, and stop cleanly. The process around it
 * (IPC handshake, signals, exit) is actor-host-main.ts.
 *
 * Call: args and result are JSON in bytes fields. The instance gets an AbortSignal that fires
 * when the caller cancels the call or its deadline passes. Errors go back as gRPC status via the
 * edge converter: ClusterError codes as they are, anything else INTERNAL with its message.
 */
import * as grpc from "@grpc/grpc-js";
import { ClusterError } from "../errors.js";
import { decodeJson, encodeJson } from "../grpc/convert.js";
import { type ActorImplementation, clusterServices } from "../grpc/proto.js";
import { listen, shutdown, unaryHandler } from "../grpc/server.js";
import type { ActorCallReply, ActorCallRequest } from "../grpc/wire.js";
import type { ActorClass, ActorInstance } from "./actor-class.js";
import type { ActorHostStart } from "./actor-host-protocol.js";

export interface ActorHost {
  port: number;
  /** Stops taking calls, lets in-flight ones finish for up to graceMs, then closes the instance. */
  stop(graceMs: number): Promise<void>;
}

export interface ActorHostDeps {
  classes: Readonly<Record<string, ActorClass>>;
  /** CUDA_VISIBLE_DEVICES as this process sees it. */
  cudaVisibleDevices: string;
}

export async function startActorHost(start: ActorHostStart, deps: ActorHostDeps): Promise<ActorHost> {
  const actorClass = Object.hasOwn(deps.classes, start.className) ? deps.classes[start.className] : undefined;
  if (actorClass === undefined) {
    const known = Object.keys(deps.classes).join(", ");
    throw new ClusterError("INVALID_ARGUMENT", `unknown actor class "${start.className}" (known: ${known})`);
  }
  const instance = await actorClass(start.initArgs, {
    actorId: start.actorId,
    gpuIds: start.gpuIds,
    cudaVisibleDevices: deps.cudaVisibleDevices,
  });
  const server = new grpc.Server();
  server.addService(clusterServices().actor, actorService(instance));
  let port: number;
  try {
    port = await listen(server, start.host, 0);
  } catch (err) {
    await instance.close();
    throw err;
  }
  return {
    port,
    async stop(graceMs) {
      await shutdown(server, graceMs);
      await instance.close();
    },
  };
}

function actorService(instance: ActorInstance): ActorImplementation {
  return {
    Call: unaryHandler(async (request: ActorCallRequest, call): Promise<ActorCallReply> => {
      const controller = new AbortController();
      const onCancelled = () =>
        controller.abort(new ClusterError("CANCELLED", "the caller cancelled the call"));
      call.once("cancelled", onCancelled);
      try {
        const args = decodeJson(request.args, "INVALID_ARGUMENT", "call args");
        const result = await instance.call(request.method, args, controller.signal);
        return { result: encodeJson(result, "INTERNAL", `result of ${request.method}`) };
      } finally {
        call.off("cancelled", onCancelled);
      }
    }),
  };
}
