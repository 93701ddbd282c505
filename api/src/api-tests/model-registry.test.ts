/**
 * The model registry through the api: registerModel over GraphQL, the new model in `models`,
 * the sha256 and name@version rules, and GET /models/:sha256 for admins (nodes: artifact-node-grants).
 */
import assert from "node:assert/strict";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import {
  buildCharTrigramLmOnnx,
  buildMlpClassifierOnnx,
  mlpClassifierManifest,
  sha256Hex,
} from "@neurogrid/cluster/models";
import { signNodeToken } from "@neurogrid/schema";
import { modelActorSpec } from "../tasks/model-actor-spec.js";
import { errorCode, graphqlRequest } from "../testing/graphql-clients.js";
import { type InProcessApi, startInProcessApi, TEST_NODE_TOKEN_SECRET } from "../testing/in-process-api.js";

const REGISTER = `mutation($input: RegisterModelInput!) {
  registerModel(input: $input) { sha256 sizeBytes created model { name version pricePerCall sha256 sizeBytes } } }`;
const MODELS = "{ models(first: 100) { totalCount edges { node { name version sha256 sizeBytes } } } }";

type ModelsPage<T> = { models: { totalCount: number; edges: { node: T }[] } };
const modelsOf = <T>(page: ModelsPage<T> | undefined): T[] => page?.models.edges.map((e) => e.node) ?? [];

const onnx = buildMlpClassifierOnnx();
const onnxSha = sha256Hex(onnx);
const manifest = {
  ...mlpClassifierManifest,
  name: "registry-mlp",
  version: "1.0.0",
  description: "a registered MLP",
};

describe("model registry", () => {
  let t: InProcessApi;
  let cacheDir: string;
  let admin: string;
  let client: string;
  const base = () => t.url.replace(/\/graphql$/, "");

  before(async () => {
    cacheDir = await mkdtemp(join(tmpdir(), "registry-cache-"));
    t = await startInProcessApi({ modelCacheDir: cacheDir });
    admin = (await t.account("admin", "admin")).key;
    client = (await t.account("client", "client")).key;
  });
  after(async () => {
    await t?.stop();
    await rm(cacheDir, { recursive: true, force: true });
  });

  const register = (key: string, m: unknown, bytes: Uint8Array) =>
    graphqlRequest<{
      registerModel: { sha256: string; sizeBytes: number; created: boolean; model: Record<string, unknown> };
    }>(t.url, key, REGISTER, {
      input: { manifest: m, artifactBase64: Buffer.from(bytes).toString("base64") },
    });

  test("an admin registers a model; it is listed with its artifact and cached for the actor", async () => {
    const res = await register(admin, { ...manifest, sha256: onnxSha }, onnx);
    assert.equal(res.errors, undefined, JSON.stringify(res.errors));
    assert.deepEqual(res.data?.registerModel, {
      sha256: onnxSha,
      sizeBytes: onnx.byteLength,
      created: true,
      model: {
        name: "registry-mlp",
        version: "1.0.0",
        pricePerCall: manifest.pricePerCall,
        sha256: onnxSha,
        sizeBytes: onnx.byteLength,
      },
    });
    const list = await graphqlRequest<ModelsPage<{ name: string; sha256: string | null }>>(
      t.url,
      client,
      MODELS,
    );
    const row = modelsOf(list.data).find((m) => m.name === "registry-mlp");
    assert.deepEqual(row, {
      name: "registry-mlp",
      version: "1.0.0",
      sha256: onnxSha,
      sizeBytes: onnx.byteLength,
    });
    assert.equal(
      modelsOf(list.data).find((m) => m.name === "mlp-classifier")?.sha256,
      null,
      "builtin: no artifact",
    );

    const cached = join(cacheDir, `${onnxSha}.onnx`);
    assert.deepEqual(new Uint8Array(await readFile(cached)), onnx);
    const stored = await t.orm.em.fork().findOneOrFail("Model", { name: "registry-mlp" } as never);
    const spec = modelActorSpec((stored as { manifest: typeof manifest }).manifest, cacheDir);
    assert.deepEqual(spec.initArgs, {
      name: "registry-mlp",
      version: "1.0.0",
      path: cached,
      sha256: onnxSha,
      manifest,
    });
    // A provider preference in the manifest reaches the replica's initArgs.
    const cpuOnly = {
      ...(stored as { manifest: typeof manifest }).manifest,
      executionProviders: ["cpu" as const],
    };
    assert.deepEqual(modelActorSpec(cpuOnly, cacheDir).initArgs, {
      name: "registry-mlp",
      version: "1.0.0",
      path: cached,
      sha256: onnxSha,
      manifest: { ...manifest, executionProviders: ["cpu"] },
      executionProviders: ["cpu"],
    });
  });

  test("models is a Relay connection: filtered, paged by cursor, newest first", async () => {
    const PAGE = `query($first: Int, $after: String, $filter: ModelFilter) {
      models(first: $first, after: $after, filter: $filter) {
        totalCount pageInfo { hasNextPage endCursor } edges { node { name version sha256 } }
      } }`;
    type Page = {
      models: {
        totalCount: number;
        pageInfo: { hasNextPage: boolean; endCursor: string | null };
        edges: { node: { name: string; sha256: string | null } }[];
      };
    };
    const registered = await graphqlRequest<Page>(t.url, client, PAGE, { filter: { registered: true } });
    assert.deepEqual(
      registered.data?.models.edges.map((e) => e.node.name),
      ["registry-mlp"],
    );
    const builtin = await graphqlRequest<Page>(t.url, client, PAGE, { filter: { registered: false } });
    assert.ok(builtin.data?.models.edges.every((e) => e.node.sha256 === null));
    const all = await graphqlRequest<Page>(t.url, client, PAGE, { first: 100 });
    const total = all.data?.models.totalCount ?? 0;
    assert.equal(total, (registered.data?.models.totalCount ?? 0) + (builtin.data?.models.totalCount ?? 0));
    assert.equal(all.data?.models.edges[0]?.node.name, "registry-mlp", "newest first");
    const names: string[] = [];
    let after: string | null | undefined;
    for (;;) {
      const page = await graphqlRequest<Page>(t.url, client, PAGE, { first: 2, after });
      names.push(...(page.data?.models.edges.map((e) => e.node.name) ?? []));
      if (!page.data?.models.pageInfo.hasNextPage) break;
      after = page.data.models.pageInfo.endCursor;
    }
    assert.deepEqual(
      names,
      all.data?.models.edges.map((e) => e.node.name),
      "pages of 2 walk the same list",
    );
  });

  test("registering the same name@version and bytes again is idempotent", async () => {
    const res = await register(admin, manifest, onnx);
    assert.equal(res.errors, undefined, JSON.stringify(res.errors));
    assert.equal(res.data?.registerModel.created, false);
    assert.equal(res.data?.registerModel.sha256, onnxSha);
  });

  test("an artifact whose sha256 does not match the manifest is refused with a clear error", async () => {
    const wrong = "0".repeat(64);
    const res = await register(admin, { ...manifest, version: "2.0.0", sha256: wrong }, onnx);
    assert.equal(errorCode(res), "BAD_USER_INPUT");
    assert.match(
      res.errors?.[0]?.message ?? "",
      new RegExp(`sha256 mismatch.*says ${wrong}.*hash to ${onnxSha}`),
    );
    const list = await graphqlRequest<ModelsPage<{ version: string; name: string }>>(t.url, client, MODELS);
    assert.equal(
      modelsOf(list.data).some((m) => m.name === "registry-mlp" && m.version === "2.0.0"),
      false,
    );
  });

  test("the same name@version with different bytes is a CONFLICT", async () => {
    const res = await register(admin, manifest, buildCharTrigramLmOnnx());
    assert.equal(errorCode(res), "CONFLICT");
    assert.match(
      res.errors?.[0]?.message ?? "",
      /registry-mlp@1\.0\.0 is already registered with other bytes/,
    );
  });

  test("a bad manifest, a builtin name@version and bad base64 are refused", async () => {
    const bad = await register(admin, { ...manifest, inputs: [] }, onnx);
    assert.equal(errorCode(bad), "BAD_USER_INPUT");
    assert.match(bad.errors?.[0]?.message ?? "", /invalid model manifest: inputs/);
    const builtin = await register(admin, mlpClassifierManifest, onnx);
    assert.equal(errorCode(builtin), "CONFLICT");
    const b64 = await graphqlRequest(t.url, admin, REGISTER, {
      input: { manifest, artifactBase64: "not base64!" },
    });
    assert.equal(errorCode(b64), "BAD_USER_INPUT");
  });

  test("only admins may register", async () => {
    assert.equal(errorCode(await register(client, { ...manifest, version: "3" }, onnx)), "FORBIDDEN");
    assert.equal(errorCode(await register("", { ...manifest, version: "3" }, onnx)), "UNAUTHENTICATED");
  });

  test("GET /models/:sha256 serves the bytes to an admin, with the sha256 as ETag", async () => {
    const url = `${base()}/models/${onnxSha}`;
    const res = await fetch(url, { headers: { authorization: `Bearer ${admin}` } });
    assert.equal(res.status, 200);
    assert.equal(res.headers.get("etag"), `"${onnxSha}"`);
    assert.equal(sha256Hex(new Uint8Array(await res.arrayBuffer())), onnxSha);
    const again = await fetch(url, {
      headers: { authorization: `Bearer ${admin}`, "if-none-match": `"${onnxSha}"` },
    });
    assert.equal(again.status, 304);
  });

  test("GET /models/:sha256 refuses a node token alone, a client key and no credential", async () => {
    const url = `${base()}/models/${onnxSha}`;
    const forged = signNodeToken("another-secret-entirely", "gpu-box-1");
    assert.equal((await fetch(url, { headers: { authorization: `Bearer ${forged}` } })).status, 401);
    assert.equal((await fetch(url, { headers: { authorization: "Bearer ngn.garbage" } })).status, 401);
    // A node downloads with its actor's artifact token beside its node token
    // (registry/artifact-node-grants.test.ts); its node token alone opens nothing.
    const nodeToken = signNodeToken(TEST_NODE_TOKEN_SECRET, "gpu-box-1");
    assert.equal((await fetch(url, { headers: { authorization: `Bearer ${nodeToken}` } })).status, 401);
    assert.equal((await fetch(url)).status, 401);
    assert.equal((await fetch(url, { headers: { authorization: `Bearer ${client}` } })).status, 403);
    const missing = await fetch(`${base()}/models/${"a".repeat(64)}`, {
      headers: { authorization: `Bearer ${admin}` },
    });
    assert.equal(missing.status, 404);
    const malformed = await fetch(`${base()}/models/xyz`, { headers: { authorization: `Bearer ${admin}` } });
    assert.equal(malformed.status, 400);
  });
  test("a model's own sample rate and comparison rule are what models lists; a rate outside 0..1 is refused", async () => {
    const checked = { ...manifest, name: "registry-mlp-checked", verification: { sampleRate: 0.5 } };
    const res = await register(admin, { ...checked, sha256: onnxSha }, onnx);
    assert.equal(res.errors, undefined, JSON.stringify(res.errors));
    type Row = { name: string; verification: { checked: boolean; rule: string; sampleRate: number | null } };
    const list = await graphqlRequest<ModelsPage<Row>>(
      t.url,
      client,
      "{ models(first: 100) { edges { node { name verification { checked rule sampleRate } } } } }",
    );
    const byName = new Map(modelsOf(list.data).map((m) => [m.name, m.verification]));
    assert.deepEqual(byName.get("registry-mlp-checked"), { checked: true, rule: "close", sampleRate: 0.5 });
    assert.deepEqual(byName.get("mlp-classifier"), { checked: true, rule: "close", sampleRate: null });
    assert.deepEqual(byName.get("silero-vad"), { checked: true, rule: "segments", sampleRate: null });
    assert.equal(byName.get("ocr")?.checked, false, "a composed model is not drawn");
    const bad = await register(
      admin,
      { ...manifest, name: "registry-mlp-bad", sha256: onnxSha, verification: { sampleRate: 2 } },
      onnx,
    );
    assert.equal(errorCode(bad), "BAD_USER_INPUT", JSON.stringify(bad.errors));
  });
});
