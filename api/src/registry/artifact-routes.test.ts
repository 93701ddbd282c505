/**
 * GET /models/:sha256 with per-artifact tokens, on a real api (in this process, real
 * PostgreSQL, real HTTP on 127.0.0.1): a forged, expired or other-artifact token is refused
 * (401/403), and a genuine one opens nothing without the node's own token (node binding:
 * artifact-node-grants.test.ts). The model actor spec carries such a token when the api's public
 * URL is configured.
 */
import assert from "node:assert/strict";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import {
  buildCharTrigramLmOnnx,
  buildMlpClassifierOnnx,
  mlpClassifierManifest,
  sha256Hex,
} from "@neurogrid/cluster/models";
import { signArtifactToken } from "@neurogrid/schema";
import { modelActorSourceOf, modelActorSpec } from "../tasks/model-actor-spec.js";
import { type InProcessApi, startInProcessApi, TEST_JWT_SECRET } from "../testing/in-process-api.js";
import { issueArtifactToken } from "./artifact-token.js";
import { registerModel } from "./register-model.js";

const mlp = buildMlpClassifierOnnx();
const mlpSha = sha256Hex(mlp);
const lm = buildCharTrigramLmOnnx();
const lmSha = sha256Hex(lm);
const HOUR = 60 * 60 * 1000;

describe("model artifacts with artifact tokens", () => {
  let t: InProcessApi;
  let dir: string;
  const base = () => t.url.replace(/\/graphql$/, "");
  const get = (sha256: string, token: string) =>
    fetch(`${base()}/models/${sha256}`, { headers: { authorization: `Bearer ${token}` } });

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), "artifact-routes-"));
    t = await startInProcessApi({ modelCacheDir: join(dir, "api-cache") });
    const em = t.orm.em.fork();
    await registerModel(em, {
      manifest: { ...mlpClassifierManifest, name: "tok-mlp", version: "1" },
      artifact: mlp,
    });
    await registerModel(em, {
      manifest: { ...mlpClassifierManifest, name: "tok-other", version: "1" },
      artifact: lm,
    });
  });
  after(async () => {
    await t?.stop();
    await rm(dir, { recursive: true, force: true });
  });

  test("a genuine token without its node's token is 401; an admin fetches the bytes", async () => {
    const res = await get(mlpSha, issueArtifactToken(TEST_JWT_SECRET, mlpSha, HOUR));
    assert.equal(res.status, 401);
    assert.match(((await res.json()) as { error: string }).error, /node's token in x-neurogrid-node/);
    const admin = await t.account("artifact-admin", "admin");
    const own = await get(mlpSha.toUpperCase(), admin.key);
    assert.equal(own.status, 200, "the sha256 in the path is case-insensitive");
    assert.equal(sha256Hex(new Uint8Array(await own.arrayBuffer())), mlpSha);
  });

  test("a forged, tampered or malformed token is 401", async () => {
    const forged = signArtifactToken("not-the-api-secret-at-all-000000", mlpSha, new Date(Date.now() + HOUR));
    assert.equal((await get(mlpSha, forged)).status, 401);
    const genuine = issueArtifactToken(TEST_JWT_SECRET, mlpSha, HOUR);
    const [prefix, sha, expiry, signature] = genuine.split(".");
    const extended = `${prefix}.${sha}.${Number(expiry) + 86_400}.${signature}`;
    const extendedRes = await get(mlpSha, extended);
    assert.equal(extendedRes.status, 401, "a changed expiry breaks the signature");
    assert.match(((await extendedRes.json()) as { error: string }).error, /invalid artifact token/);
    const moved = `${prefix}.${lmSha}.${expiry}.${signature}`;
    assert.equal((await get(lmSha, moved)).status, 401, "a signature does not move to another artifact");
    assert.equal((await get(mlpSha, "nga.garbage")).status, 401);
  });

  test("an expired token is 401", async () => {
    const expired = issueArtifactToken(TEST_JWT_SECRET, mlpSha, HOUR, new Date(Date.now() - 2 * HOUR));
    const res = await get(mlpSha, expired);
    assert.equal(res.status, 401);
    assert.match(((await res.json()) as { error: string }).error, /artifact token expired at /);
  });

  test("a valid token for another artifact is 403", async () => {
    const res = await get(lmSha, issueArtifactToken(TEST_JWT_SECRET, mlpSha, HOUR));
    assert.equal(res.status, 403);
    assert.match(((await res.json()) as { error: string }).error, new RegExp(`is for artifact ${mlpSha}`));
  });

  test("with a public URL the actor spec carries a token for the artifact, and no path", async () => {
    const manifest = { ...mlpClassifierManifest, name: "tok-mlp", version: "1", sha256: mlpSha };
    const source = modelActorSourceOf({
      modelCacheDir: undefined,
      publicUrl: base(),
      jwtSecret: TEST_JWT_SECRET,
    });
    const initArgs = modelActorSpec(manifest, source).initArgs as {
      artifact: { url: string; sha256: string; token: string };
      path?: string;
      cacheDir?: string;
    };
    assert.equal(initArgs.artifact.url, `${base()}/models/${mlpSha}`);
    assert.equal(initArgs.artifact.sha256, mlpSha);
    assert.equal(initArgs.path, undefined);
    assert.equal(initArgs.cacheDir, undefined);
    const local = modelActorSpec(manifest, { ...source, publicUrl: undefined }).initArgs as Record<
      string,
      unknown
    >;
    assert.equal(local.artifact, undefined, "no public URL: the single-machine path");
    assert.equal(local.path, join(tmpdir(), "neurogrid-models", `${mlpSha}.onnx`));
    assert.equal(local.cacheDir, undefined, "where files are written is the worker's own choice");
  });
});
