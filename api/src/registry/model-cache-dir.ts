import { tmpdir } from "node:os";
import { join } from "node:path";

/**
 * The model file cache directory the api and the model actors share on one machine: the
 * configured one, else the directory the model actor itself falls back to.
 */
export function modelCacheDirOf(configured: string | undefined): string {
  return configured ?? join(tmpdir(), "neurogrid-models");
}

/** Where a registered artifact lies in a content-addressed cache directory. */
export function artifactPath(cacheDir: string, sha256: string): string {
  return join(cacheDir, `${sha256}.onnx`);
}
