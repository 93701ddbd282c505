/**
 * The environment an actor process gets: an allow-list of the worker's variables, never the
 * rest (a worker may have been started with database URLs, tokens or secrets in its
 * environment; actor code must not see them). What an actor needs beyond these comes in its
 * start message (runtime/actor-host-protocol.ts).
 */

/** Variables copied as they are: locale, paths, temp dirs, and the GPU libraries' own. */
const ALLOWED = new Set([
  "PATH",
  "HOME",
  "TMPDIR",
  "TMP",
  "TEMP",
  "LANG",
  "LANGUAGE",
  "TZ",
  "LD_LIBRARY_PATH",
]);
/** Prefixes of variables copied: the CUDA/NVIDIA runtime's and locale categories. */
const ALLOWED_PREFIXES = ["LC_", "CUDA_", "NVIDIA_"];

export function actorEnv(workerEnv: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [name, value] of Object.entries(workerEnv)) {
    if (value === undefined) continue;
    if (ALLOWED.has(name) || ALLOWED_PREFIXES.some((prefix) => name.startsWith(prefix))) env[name] = value;
  }
  return env;
}
