/**
 * Actor call benchmark: the 1:1 call rate of a driver calling one actor, with one call in flight
 * and with 64, beside the library underneath — @grpc/grpc-js unary calls between two processes
 * of the same kind (this process and a bare echo server in a child process) — measured in the
 * same run, in alternating rounds, so both see the same machine load.
 *
 *   node cluster/dist/bench/actors-bench.js [--json] [--seconds S] [--rounds N]
 *
 * The actor path is the real one: a head and a worker as child processes, an "echo" actor in
 * its own process created through ClusterClient.getOrCreateActor, called with ActorHandle.call
 * (the call channel: one long-lived gRPC bidirectional stream carrying many calls by id, see
 * client/actor-channel.ts). Both sides send the same JSON bytes. Each figure is the median of
 * the rounds. With --json the last line is one JSON object: { ratio1, ratio64 (actor rate /
 * raw rate), actor1PerS, actor64PerS, raw1PerS, raw64PerS, seconds, rounds }.
 *
 * Why the call channel beats unary gRPC on the same library: a grpc-js unary call costs a new
 * HTTP/2 stream (headers out, headers and trailers back, its own deadline and status handling)
 * for every call; on a stream that stays open a call is one frame each way, and each side sends
 * the frames it has ready in one turn of the event loop as one message (grpc/frame-batcher.ts),
 * so 64 calls in flight share the per-message cost. This met both targets on gRPC itself, so
 * the alternatives (a raw TCP length-prefixed framing on loopback, IPC) were not needed;
 * staying on gRPC keeps TLS and grpc-js's connection management on the data path.
 */
import { fork } from "node:child_process";
import { fileURLToPath } from "node:url";
import * as grpc from "@grpc/grpc-js";
import { startTestCluster } from "../cli/testing/test-cluster.js";
import { ClusterClient } from "../client/cluster-client.js";
import { unaryCall } from "../grpc/call.js";
import { clusterServices } from "../grpc/proto.js";
import { benchArgs, callRate, median, round } from "./measure.js";

const RAW_SERVER = fileURLToPath(new URL("./raw-echo-server.js", import.meta.url));
const PAYLOAD = { prompt: "hello", n: 1 };

async function startRawServer() {
  const child = fork(RAW_SERVER, [], { stdio: ["ignore", "inherit", "inherit", "ipc"] });
  const port = await new Promise<number>((resolve, reject) => {
    child.once("message", (message) => resolve((message as { port: number }).port));
    child.once("exit", (code) => reject(new Error(`raw echo server exited (${code})`)));
  });
  const stop = () => {
    if (child.exitCode === null && child.signalCode === null && child.pid !== undefined) {
      process.kill(child.pid, "SIGKILL");
    }
  };
  return { address: `127.0.0.1:${port}`, stop };
}

async function main(): Promise<void> {
  const args = benchArgs(process.argv.slice(2), { seconds: 2, rounds: 3 });
  args.rounds = Math.floor(args.rounds);
  const cluster = await startTestCluster({ workers: { "bench-node": [] } });
  const raw = await startRawServer();
  const client = new ClusterClient({ headAddress: cluster.headAddress });
  const rawClient = new grpc.Client(raw.address, grpc.credentials.createInsecure());
  try {
    const actor = await client.getOrCreateActor({
      name: "bench-echo",
      namespace: "bench",
      className: "echo",
      initArgs: {},
      resources: { cpus: 0, memoryMb: 0, gpus: 0, custom: {} },
    });
    const rawArgs = Buffer.from(JSON.stringify(PAYLOAD));
    const Call = clusterServices().actor.Call;
    const callActor = () => actor.call("echo", PAYLOAD);
    const callRaw = () => unaryCall(rawClient, Call, { method: "echo", args: rawArgs });

    console.log(`warming up (actor ${actor.info.actorId}, pid ${actor.info.pid})`);
    for (const inFlight of [1, 64]) {
      await callRate(inFlight, 0.5, callActor);
      await callRate(inFlight, 0.5, callRaw);
    }
    const rates = {
      actor1: [] as number[],
      raw1: [] as number[],
      actor64: [] as number[],
      raw64: [] as number[],
    };
    for (let r = 1; r <= args.rounds; r += 1) {
      for (const inFlight of [1, 64] as const) {
        const a = await callRate(inFlight, args.seconds, callActor);
        const b = await callRate(inFlight, args.seconds, callRaw);
        rates[`actor${inFlight}`].push(a);
        rates[`raw${inFlight}`].push(b);
        console.log(
          `round ${r}, ${inFlight} in flight: actor ${round(a)} calls/s, grpc-js unary ${round(b)} calls/s`,
        );
      }
    }
    const result = {
      actor1PerS: round(median(rates.actor1)),
      raw1PerS: round(median(rates.raw1)),
      actor64PerS: round(median(rates.actor64)),
      raw64PerS: round(median(rates.raw64)),
    };
    const summary = {
      ratio1: round(result.actor1PerS / result.raw1PerS, 2),
      ratio64: round(result.actor64PerS / result.raw64PerS, 2),
      ...result,
      seconds: args.seconds,
      rounds: args.rounds,
    };
    console.log(
      `1 in flight: actor ${summary.actor1PerS}/s vs raw ${summary.raw1PerS}/s (x${summary.ratio1}); ` +
        `64 in flight: actor ${summary.actor64PerS}/s vs raw ${summary.raw64PerS}/s (x${summary.ratio64})`,
    );
    if (args.json) console.log(JSON.stringify(summary));
  } finally {
    client.close();
    rawClient.close();
    raw.stop();
    await cluster.stop();
  }
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : String(err));
  process.exit(1);
});
