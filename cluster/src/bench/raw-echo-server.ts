/**
 * The baseline's server for the actors benchmark: a bare @grpc/grpc-js server in its own
 * process answering the unary Actor.Call with its request's bytes (no actor, no queue, no JSON
 * parsing). Forked by actors-bench.ts; reports its port over IPC and exits when the parent
 * disconnects.
 */
import * as grpc from "@grpc/grpc-js";
import { clusterServices } from "../grpc/proto.js";
import { listen } from "../grpc/server.js";

const server = new grpc.Server();
server.addService(clusterServices().actor, {
  Call: (call: grpc.ServerUnaryCall<{ args: Buffer }, unknown>, callback: grpc.sendUnaryData<unknown>) =>
    callback(null, { result: call.request.args }),
  Connect: (stream: grpc.ServerDuplexStream<unknown, unknown>) =>
    stream.destroy(new Error("the raw echo server serves Call only")),
});
const port = await listen(server, "127.0.0.1", 0);
process.send?.({ port });
process.on("disconnect", () => process.exit(0));
