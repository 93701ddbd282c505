import { Arg, Authorized, Ctx, FieldResolver, Int, Mutation, Resolver, Root } from "type-graphql";
import { Model } from "../db/entities/index.js";
import { badInput } from "../errors.js";
import { modelCacheDirOf } from "../registry/model-cache-dir.js";
import { registerModel } from "../registry/register-model.js";
import type { ApiContext } from "./context.js";
import { ModelType, toModelType } from "./model.type.js";
import { RegisterModelInput } from "./model-registry.input.js";
import { RegisteredModelType } from "./model-registry.type.js";

const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

/**
 * The model registry over GraphQL: `registerModel` (admins) stores a versioned ONNX artifact
 * and its manifest (registry/register-model.ts), and every Model gains the artifact's sha256
 * and size (null for builtin models, which the actors build themselves).
 *
 * The artifact travels base64 inside the request, so it is bounded by the /graphql body limit;
 * larger models go through `neurogrid model register`, which writes to the database directly.
 */
@Resolver(() => ModelType)
export class ModelRegistryResolver {
  @Authorized("admin", "scope:admin")
  @Mutation(() => RegisteredModelType, {
    description:
      "Registers a model version: its manifest and ONNX artifact (admins). A name@version is immutable: registering it again with other bytes is a CONFLICT.",
  })
  async registerModel(
    @Arg("input", () => RegisterModelInput) input: RegisterModelInput,
    @Ctx() ctx: ApiContext,
  ): Promise<RegisteredModelType> {
    const text = input.artifactBase64.replace(/\s+/g, "");
    if (!BASE64.test(text) || text.length % 4 !== 0) throw badInput("artifactBase64 is not valid base64");
    const registered = await registerModel(
      ctx.em,
      { manifest: input.manifest, artifact: Buffer.from(text, "base64") },
      { cacheDir: modelCacheDirOf(ctx.services.config.modelCacheDir) },
    );
    return {
      model: toModelType(registered.model),
      sha256: registered.sha256,
      sizeBytes: registered.sizeBytes,
      created: registered.created,
    };
  }

  @FieldResolver(() => String, {
    nullable: true,
    description: "sha256 of the registered ONNX artifact (GET /models/:sha256); null for a builtin model.",
  })
  async sha256(@Root() model: ModelType, @Ctx() ctx: ApiContext): Promise<string | null> {
    // An artifact's hash is its address in the registry: shown to callers with an account only
    // (null for anonymous ones, as for a builtin model).
    if (!ctx.caller) return null;
    return (await ctx.em.findOne(Model, model.id))?.sha256 ?? null;
  }

  @FieldResolver(() => Int, {
    nullable: true,
    description: "Size of the artifact; null for a builtin model.",
  })
  async sizeBytes(@Root() model: ModelType, @Ctx() ctx: ApiContext): Promise<number | null> {
    const size = (await ctx.em.findOne(Model, model.id))?.sizeBytes;
    return size === undefined || size === null ? null : Number(size);
  }
}
