import { createReadStream } from "node:fs";
import { readFile, stat } from "node:fs/promises";
import { basename } from "node:path";
import type { Command } from "commander";
import { Model } from "../db/entities/index.js";
import { openOrm } from "../db/orm.js";
import { ApiError } from "../errors.js";
import { modelCacheDirOf } from "../registry/model-cache-dir.js";
import { registerModel } from "../registry/register-model.js";
import { type CliEnv, required } from "./cli-env.js";
import { registerDeployCommand } from "./deploy-command.js";
import { cliProgress, type Progress } from "./progress.js";

/**
 * Operator commands for the model registry, straight against the database (DATABASE_URL or
 * --database-url), like `neurogrid migrate`: an artifact of any size up to the registry's limit,
 * with no api running and no GraphQL body limit in the way. The same rules as the
 * `registerModel` mutation apply (registry/register-model.ts).
 *   neurogrid model register --manifest FILE --onnx FILE [--json]
 *   neurogrid model list [--json]
 *   neurogrid model deploy NAME[@VERSION] --head ADDR [--min N --max N --target R]  (deploy-command.ts)
 * `register` shows its steps on stderr (progress.ts): reading the manifest, reading the model
 * file (with a percentage), connecting, hashing and storing; stdout gets only the result line
 * (or, with --json, one JSON object).
 */
const say = (line: string) => process.stdout.write(`${line}\n`);

export function registerModelCommands(program: Command, env: CliEnv): void {
  const databaseUrl = (o: { databaseUrl?: string }) =>
    required(o.databaseUrl ?? env.databaseUrl, "DATABASE_URL or --database-url");
  const model = program.command("model").description("the model registry (operator)");
  registerDeployCommand(model, env);

  model
    .command("register")
    .description("register a model version: its manifest (JSON) and its ONNX file")
    .requiredOption("--manifest <file>", "the manifest, a JSON file")
    .requiredOption("--onnx <file>", "the ONNX model file")
    .option("--database-url <url>")
    .option("--cache-dir <dir>", "also write the artifact into this model cache directory", env.modelCacheDir)
    .option("--json", "print the result as one JSON object (and no progress)")
    .action(async (o, command: Command) => {
      const json = Boolean(o.json);
      const progress = cliProgress(
        "model register",
        4,
        { json, quiet: command.optsWithGlobals().quiet },
        { TERM: env.term },
      );
      const r = await progress.run(async () => {
        progress.step(`reading the manifest ${basename(o.manifest)}`);
        let manifest: unknown;
        try {
          manifest = JSON.parse(await readFile(o.manifest, "utf8"));
        } catch (err) {
          throw new Error(`cannot read the manifest ${o.manifest}: ${(err as Error).message}`);
        }
        const artifact = await readWithProgress(o.onnx, progress);
        progress.step("connecting to the database");
        const orm = await openOrm(databaseUrl(o));
        try {
          progress.step(`hashing and storing ${artifact.byteLength} bytes`);
          return await registerModel(
            orm.em.fork(),
            { manifest, artifact },
            { cacheDir: modelCacheDirOf(o.cacheDir) },
          );
        } catch (err) {
          if (err instanceof ApiError) throw new Error(`${err.code}: ${err.message}`);
          throw err;
        } finally {
          await orm.close();
        }
      });
      const { name, version } = r.model;
      if (json)
        say(JSON.stringify({ created: r.created, name, version, sha256: r.sha256, sizeBytes: r.sizeBytes }));
      else
        say(
          `${r.created ? "registered" : "already registered"} ${name}@${version} sha256 ${r.sha256} (${r.sizeBytes} bytes)`,
        );
    });

  model
    .command("list")
    .description("every model version: builtin ones and registered ones with their artifact")
    .option("--database-url <url>")
    .option("--json", "print one JSON object")
    .action(async (o) => {
      const orm = await openOrm(databaseUrl(o));
      try {
        const rows = await orm.em.fork().find(Model, {}, { orderBy: { name: "asc", version: "asc" } });
        const models = rows.map((m) => ({
          name: m.name,
          version: m.version,
          sha256: m.sha256 ?? null,
          sizeBytes: m.sizeBytes === undefined || m.sizeBytes === null ? null : Number(m.sizeBytes),
          pricePerCall: m.pricePerCall.toString(),
          registeredAt: m.createdAt.toISOString(),
        }));
        if (o.json) {
          say(JSON.stringify({ models }));
          return;
        }
        for (const m of models) {
          const artifact = m.sha256 ? `sha256 ${m.sha256} ${m.sizeBytes} bytes` : "builtin";
          say(`${m.name}@${m.version}  ${artifact}  price/call ${m.pricePerCall}`);
        }
      } finally {
        await orm.close();
      }
    });
}

/** A file's bytes, read in chunks as a progress step with its percentage. */
async function readWithProgress(path: string, progress: Progress): Promise<Buffer> {
  let size: number;
  try {
    size = (await stat(path)).size;
  } catch (err) {
    throw new Error(`cannot read the model file ${path}: ${(err as Error).message}`);
  }
  progress.step(`reading ${basename(path)}`, size);
  const chunks: Buffer[] = [];
  let read = 0;
  for await (const chunk of createReadStream(path)) {
    const bytes = chunk as Buffer;
    chunks.push(bytes);
    read += bytes.length;
    progress.advance(read);
  }
  return Buffer.concat(chunks, read);
}
