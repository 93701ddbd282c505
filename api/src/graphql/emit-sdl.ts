#!/usr/bin/env node
/**
 * Writes the SDL the resolvers produce to schema/graphql/schema.graphql, and the dashboard's
 * operation types generated from it (dashboard/operation-types.ts) to
 * api/web/src/generated/operation-types.ts (`npm run sdl`), or with --check exits non-zero when
 * either checked-in file differs (CI runs it).
 */
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname } from "node:path";
import { fileURLToPath } from "node:url";
import { buildSchema } from "graphql";
import { operationTypes } from "../dashboard/operation-types.js";
import { OPERATION_TYPES_FILE, webOperations } from "../dashboard/web-operations.js";
import { buildApiSchema, printSdl } from "./build-schema.js";

export const SDL_FILE = fileURLToPath(new URL("../../../schema/graphql/schema.graphql", import.meta.url));

function current(file: string): string {
  try {
    return readFileSync(file, "utf8");
  } catch {
    return "";
  }
}

async function main(): Promise<void> {
  const sdl = printSdl(await buildApiSchema());
  const types = operationTypes(
    buildSchema(sdl),
    webOperations().map((o) => o.text),
  );
  const outputs = [
    { file: SDL_FILE, text: sdl, name: "schema/graphql/schema.graphql" },
    { file: OPERATION_TYPES_FILE, text: types, name: "api/web/src/generated/operation-types.ts" },
  ];
  if (process.argv.includes("--check")) {
    const stale = outputs.filter((o) => current(o.file) !== o.text);
    for (const o of stale)
      process.stderr.write(`${o.name} is out of date: run \`npm run sdl\` and commit it\n`);
    if (stale.length > 0) process.exit(1);
    process.stdout.write(
      "schema/graphql/schema.graphql and the dashboard's operation types are up to date\n",
    );
    return;
  }
  for (const o of outputs) {
    mkdirSync(dirname(o.file), { recursive: true });
    writeFileSync(o.file, o.text);
    process.stdout.write(`wrote ${o.file}\n`);
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) await main();
