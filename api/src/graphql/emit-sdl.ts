#!/usr/bin/env node
/**
 * Writes the SDL the resolvers produce to schema/graphql/schema.graphql (`npm run sdl`), or with
 * --check exits non-zero when the checked-in file differs (CI runs it).
 */
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname } from "node:path";
import { fileURLToPath } from "node:url";
import { buildApiSchema, printSdl } from "./build-schema.js";

export const SDL_FILE = fileURLToPath(new URL("../../../schema/graphql/schema.graphql", import.meta.url));

async function main(): Promise<void> {
  const sdl = printSdl(await buildApiSchema());
  if (process.argv.includes("--check")) {
    let current = "";
    try {
      current = readFileSync(SDL_FILE, "utf8");
    } catch {}
    if (current !== sdl) {
      process.stderr.write("schema/graphql/schema.graphql is out of date: run `npm run sdl` and commit it\n");
      process.exit(1);
    }
    process.stdout.write("schema/graphql/schema.graphql is up to date\n");
    return;
  }
  mkdirSync(dirname(SDL_FILE), { recursive: true });
  writeFileSync(SDL_FILE, sdl);
  process.stdout.write(`wrote ${SDL_FILE}\n`);
}

if (process.argv[1] === fileURLToPath(import.meta.url)) await main();
