/**
 * GET /models/:sha256 grants an artifact only to a node that runs an actor of its model, against
 * a real head (per-node tokens) and a real worker whose model actor downloads the registered
 * artifact from this api: the actor's download carries the worker's node token, so it lands;
 * the same artifact token replayed with another node's token is 403, without a node token 401;
 * the hosting node gets no other model's artifact, and nothing once its actor is gone. Every
 * process this file starts is stopped by its PID in `after`.
 */
import assert from "node:assert/strict";
import { mkdtemp, readdir, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { ClusterClient } from "@neurogrid/cluster";
import {
  buildCharTrigramLmOnnx,
  buildMlpClassifierOnnx,
  mlpClassifierManifest,
  sha256Hex,
} from "@neurogrid/cluster/models";
import { NODE_CREDENTIAL_HEADER, signNodeToken } from "@neurogrid/schema";
import type { Child } from "../cli/child-process.js";
import { MODEL_NAMESPACE, modelActorSpec } from "../tasks/model-actor-spec.js";
import {
  type InProcessApi,
  startInProcessApi,
  TEST_JWT_SECRET,
  TEST_NODE_TOKEN_SECRET,
} from "../testing/in-process-api.js";
import { startHead, startWorker } from "../testing/local-cluster.js";
import { issueArtifactToken } from "./artifact-token.js";
import { registerModel } from "./register-model.js";

const mlp = buildMlpClassifierOnnx();
const mlpSha = sha256Hex(mlp);
const lm = buildCharTrigramLmOnnx();
const lmSha = sha256Hex(lm);
const HOUR = 60 * 60 * 1000;
const HOST = "grant-host";
const OTHER = "grant-other-node";

describe("artifact downloads bound to the node that runs the model", { timeout: 180_000 }, () => {
  const children: Child[] = [];
  let t: InProcessApi;
  let cluster: ClusterClient;
  let dir: string;
  let artifactToken: string;
  const base = () => t.url.replace(/\/graphql$/, "");
  const nodeToken = (nodeId: string) => signNodeToken(TEST_NODE_TOKEN_SECRET, nodeId);
  const get = (sha256: string, token: string, node?: string) =>
    fetch(`${base()}/models/${sha256}`, {
      headers: {
        authorization: `Bearer ${token}`,
        ...(node === undefined ? {} : { [NODE_CREDENTIAL_HEADER]: node }),
      },
    });
  const manifest = { ...mlpClassifierManifest, name: "grant-mlp", version: "1", sha256: mlpSha };

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), "artifact-grants-"));
    const head = await startHead(["--node-token-secret", TEST_NODE_TOKEN_SECRET]);
    children.push(head.child);
    t = await startInProcessApi({ headAddress: head.address, modelCacheDir: join(dir, "api-cache") });
    cluster = new ClusterClient({ headAddress: head.address });
    const em = t.orm.em.fork();
    await registerModel(em, { manifest, artifact: mlp });
    await registerModel(em, {
      manifest: { ...mlpClassifierManifest, name: "grant-lm", version: "1" },
      artifact: lm,
    });
    children.push(
      await startWorker(head.address, HOST, [
        ...["--node-token", nodeToken(HOST), "--actor-pool-size", "0"],
        ...["--artifact-origin", base(), "--model-cache-dir", join(dir, "worker-cache")],
      ]),
    );
  });

  after(async () => {
    cluster?.close();
    await t?.stop();
    await Promise.all(children.map((child) => child.stop()));
    await rm(dir, { recursive: true, force: true });
  });

  test("the model actor downloads its artifact with its node's token", async () => {
    const spec = modelActorSpec(manifest, { publicUrl: base(), artifactTokenSecret: TEST_JWT_SECRET });
    artifactToken = (spec.initArgs as { artifact: { token: string } }).artifact.token;
    const actor = await cluster.getOrCreateActor(spec);
    assert.equal(actor.info.state, "ALIVE");
    assert.equal(actor.info.nodeId, HOST);
    assert.deepEqual(await readdir(join(dir, "worker-cache")), [`${mlpSha}.onnx`]);
  });

  test("the hosting node gets the bytes; the same token from another node is 403", async () => {
    const own = await get(mlpSha, artifactToken, nodeToken(HOST));
    assert.equal(own.status, 200);
    assert.equal(sha256Hex(new Uint8Array(await own.arrayBuffer())), mlpSha);

    const replayed = await get(mlpSha, artifactToken, nodeToken(OTHER));
    assert.equal(replayed.status, 403);
    assert.match(((await replayed.json()) as { error: string }).error, /runs no actor of a model/);
  });

  test("no node token, a forged one, or a node token alone is 401", async () => {
    assert.equal((await get(mlpSha, artifactToken)).status, 401);
    const forged = signNodeToken("not-the-node-token-secret", HOST);
    assert.equal((await get(mlpSha, artifactToken, forged)).status, 401);
    assert.equal((await get(mlpSha, nodeToken(HOST))).status, 401);
  });

  test("the hosting node gets no artifact of a model it does not run", async () => {
    const lmToken = issueArtifactToken(TEST_JWT_SECRET, lmSha, HOUR);
    assert.equal((await get(lmSha, lmToken, nodeToken(HOST))).status, 403);
  });

  test("once its actor is gone, the node gets nothing more", async () => {
    await cluster.killActor(MODEL_NAMESPACE, `model:${manifest.name}@${manifest.version}`);
    assert.equal((await get(mlpSha, artifactToken, nodeToken(HOST))).status, 403);
  });
});
