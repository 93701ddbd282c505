/**
 * The cluster's authorisation matrix, over real processes on loopback: a head and a worker that
 * share a cluster secret, and an actor on that worker. Every method of every service found in
 * the .proto files (read at run time, so a new RPC or service without a rule fails here) is
 * called as {no identity, a role its rule does not allow, another node's worker, the right
 * identity}:
 *
 *   no identity        -> UNAUTHENTICATED
 *   wrong role         -> PERMISSION_DENIED
 *   another node       -> PERMISSION_DENIED (for a worker-bound rule: its request names the
 *                         node of the rule, not the caller's)
 *   right identity     -> not refused by the gate (the handler ran: an answer, its own error,
 *                         or, for a stream that stays open with nothing to say, the deadline)
 *
 * Every process this file starts is stopped by its PID in `after`.
 */
import assert from "node:assert/strict";
import { readdirSync } from "node:fs";
import { after, before, describe, it } from "node:test";
import * as grpc from "@grpc/grpc-js";
import * as protoLoader from "@grpc/proto-loader";
import { PROTO_DIR } from "@neurogrid/schema";
import { CREDENTIAL_METADATA_KEY, mintCredential } from "../auth/credential-token.js";
import type { Identity } from "../auth/identity.js";
import { type Allowed, RPC_RULES } from "../auth/rpc-rules.js";
import { ClusterClient } from "../index.js";
import { startTestCluster, type TestCluster } from "./testing/test-cluster.js";

const SECRET = "rpc-authorization-test-secret-0123456789";
const NODE = "matrix-a";
/** The node id worker-bound rules are exercised for (a node that only this test's calls name). */
const BOUND_NODE = "matrix-bound";
/** An accepted stream with nothing to send is ended by this deadline; refusals come at once. */
const STREAM_DEADLINE_MS = 1_500;
const UNARY_DEADLINE_MS = 10_000;

type Rules = Readonly<Record<string, Readonly<Record<string, readonly Allowed[]>>>>;

interface Method {
  service: string;
  name: string;
  definition: grpc.MethodDefinition<unknown, unknown>;
}

/** Every method of every service of the cluster's .proto files, loaded here, not from the code. */
function methodsOfProto(): Method[] {
  const files = readdirSync(PROTO_DIR).filter((file) => file.endsWith(".proto"));
  const loaded = protoLoader.loadSync(files, { includeDirs: [PROTO_DIR], defaults: true, oneofs: true });
  const methods: Method[] = [];
  for (const [fullName, value] of Object.entries(loaded)) {
    const entries = Object.entries(value as Record<string, unknown>);
    const isService =
      entries.length > 0 && entries.every(([, m]) => typeof (m as { path?: unknown }).path === "string");
    if (!isService) continue;
    const service = fullName.slice(fullName.lastIndexOf(".") + 1);
    for (const [name, definition] of entries)
      methods.push({ service, name, definition: definition as grpc.MethodDefinition<unknown, unknown> });
  }
  return methods;
}

type Outcome = { code: grpc.status; details: string };

describe("every cluster RPC has a rule, enforced over real processes", { timeout: 240_000 }, () => {
  let cluster: TestCluster;
  let driver: ClusterClient;
  const addresses = new Map<string, string>();
  const clients: grpc.Client[] = [];

  before(async () => {
    const secret = ["--cluster-secret", SECRET];
    cluster = await startTestCluster({
      headArgs: secret,
      workers: { [NODE]: ["--cpus", "2", "--memory-mb", "1024", "--actor-pool-size", "0", ...secret] },
    });
    driver = new ClusterClient({
      headAddress: cluster.headAddress,
      credential: mintCredential(SECRET, { role: "driver" }),
    });
    const actor = await driver.getOrCreateActor(
      {
        name: "matrix-echo",
        namespace: "rpc-authorization-test",
        className: "echo",
        initArgs: {},
        resources: { cpus: 1, memoryMb: 64, gpus: 0, custom: {} },
      },
      { timeoutMs: 60_000 },
    );
    cluster.trackActor(actor.info.pid);
    const [node] = await driver.listNodes();
    addresses.set("Head", cluster.headAddress);
    addresses.set("Worker", node?.address ?? "");
    addresses.set("Actor", actor.info.address);
  });

  after(async () => {
    for (const client of clients) client.close();
    driver?.close();
    await cluster?.stop();
  });

  function call(
    method: Method,
    identity: Identity | undefined,
    request: Record<string, unknown>,
  ): Promise<Outcome> {
    const address = addresses.get(method.service);
    assert.ok(address, `no server of service ${method.service} in this test: add one`);
    const client = new grpc.Client(address, grpc.credentials.createInsecure());
    clients.push(client);
    const metadata = new grpc.Metadata();
    if (identity !== undefined) metadata.set(CREDENTIAL_METADATA_KEY, mintCredential(SECRET, identity));
    const { definition: d } = method;
    const streaming = d.requestStream || d.responseStream;
    const deadline = Date.now() + (streaming ? STREAM_DEADLINE_MS : UNARY_DEADLINE_MS);
    const ser = d.requestSerialize;
    const de = d.responseDeserialize;
    return new Promise((resolve) => {
      const done = (err: grpc.ServiceError | null) =>
        resolve(
          err === null ? { code: grpc.status.OK, details: "" } : { code: err.code, details: err.details },
        );
      if (!d.requestStream && !d.responseStream) {
        client.makeUnaryRequest(d.path, ser, de, request, metadata, { deadline }, (err) => done(err));
        return;
      }
      let settled = false;
      const settle = (outcome: Outcome) => {
        if (settled) return;
        settled = true;
        stream.cancel();
        resolve(outcome);
      };
      const stream = d.requestStream
        ? client.makeBidiStreamRequest(d.path, ser, de, metadata, { deadline })
        : client.makeServerStreamRequest(d.path, ser, de, request, metadata, { deadline });
      // A message means the handler ran; so does ending with any status but a refusal.
      stream.on("data", () => settle({ code: grpc.status.OK, details: "a message" }));
      stream.on("error", (err: grpc.ServiceError) => settle({ code: err.code, details: err.details }));
      stream.on("status", (status: grpc.StatusObject) =>
        settle({ code: status.code, details: status.details }),
      );
      if (d.requestStream) (stream as grpc.ClientDuplexStream<unknown, unknown>).write(request);
    });
  }

  const methods = methodsOfProto();
  const rules = RPC_RULES as Rules;

  it("finds the services in the .proto, and a rule for every method", () => {
    assert.deepEqual([...new Set(methods.map((m) => m.service))].sort(), ["Actor", "Head", "Worker"]);
    const missing = methods
      .filter((m) => rules[m.service]?.[m.name] === undefined)
      .map((m) => `${m.service}.${m.name}`);
    assert.deepEqual(missing, [], "RPCs without a rule in auth/rpc-rules.ts");
  });

  for (const method of methods) {
    const allowed = rules[method.service]?.[method.name] ?? [];
    const workerBound = allowed.includes("worker:request");
    const right = rightIdentity(allowed);
    const wrong = wrongIdentity(allowed);
    // A worker-bound request names BOUND_NODE; every other request names nothing in particular.
    const request = workerBound
      ? { nodeId: BOUND_NODE, actorId: "no-such-actor" }
      : { actorId: "no-such-actor" };

    it(`${method.service}.${method.name}: [${allowed.join(", ")}]`, async () => {
      const none = await call(method, undefined, request);
      assert.equal(none.code, grpc.status.UNAUTHENTICATED, `no identity: ${none.details}`);

      const wrongRole = await call(method, wrong, request);
      assert.equal(
        wrongRole.code,
        grpc.status.PERMISSION_DENIED,
        `${JSON.stringify(wrong)}: ${wrongRole.details}`,
      );

      const otherNode = await call(method, { role: "worker", nodeId: "matrix-other" }, request);
      assert.equal(otherNode.code, grpc.status.PERMISSION_DENIED, `another node: ${otherNode.details}`);

      // The handler may refuse on its own (ReportActorExit without the node's session): that is
      // not the gate, whose refusals name the RPC.
      const ok = await call(method, right, request);
      const gate = `${method.service}.${method.name}: `;
      assert.ok(
        !(
          (ok.code === grpc.status.UNAUTHENTICATED || ok.code === grpc.status.PERMISSION_DENIED) &&
          ok.details.startsWith(gate)
        ),
        `${JSON.stringify(right)} was refused: ${ok.details}`,
      );
    });
  }
});

/** An identity the rule allows: for worker rules, the node the request (or the server) is for. */
function rightIdentity(allowed: readonly Allowed[]): Identity {
  const first = allowed[0];
  if (first === "worker:request") return { role: "worker", nodeId: BOUND_NODE };
  if (first === "worker:serving") return { role: "worker", nodeId: NODE };
  assert.ok(first !== undefined, "a rule allows someone");
  return { role: first };
}

/** A role the rule does not allow (never the right worker). */
function wrongIdentity(allowed: readonly Allowed[]): Identity {
  for (const role of ["observer", "driver", "head"] as const) if (!allowed.includes(role)) return { role };
  return { role: "worker", nodeId: "matrix-other" };
}
