import { readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

/**
 * The dashboard's GraphQL documents: every template string in api/web/src marked with a GraphQL
 * comment. They are validated against the committed SDL (dashboard-operations.test.ts) and their
 * result types generated from it (operation-types.ts).
 */
export const WEB_SRC = fileURLToPath(new URL("../../web/src/", import.meta.url));
export const OPERATION_TYPES_FILE = join(WEB_SRC, "generated", "operation-types.ts");
const MARKED = /\/\* GraphQL \*\/ `([^`]*)`/g;

export interface WebOperation {
  file: string;
  text: string;
}

function sources(dir: string): string[] {
  return readdirSync(dir)
    .sort()
    .flatMap((name) => {
      const path = join(dir, name);
      if (statSync(path).isDirectory()) return sources(path);
      return /\.tsx?$/.test(name) ? [path] : [];
    });
}

export function webOperations(): WebOperation[] {
  return sources(WEB_SRC).flatMap((file) =>
    [...readFileSync(file, "utf8").matchAll(MARKED)].map((m) => ({ file, text: m[1] ?? "" })),
  );
}
