import { mkdirSync, readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { parse } from "yaml";
import { imageArgv, REPO_ROOT } from "./neurogrid-image.js";
import type { ServiceSpec } from "./service-network.js";

/**
 * docker-compose.yml read as Compose reads it (YAML merge keys, `${VAR}`, `${VAR:-default}`,
 * `${VAR:?message}` interpolation over the whole file, secrets as files under /run/secrets)
 * and turned into local processes for a test: the project's image becomes its Dockerfile's
 * ENTRYPOINT (WORKDIR mapped to the checkout) followed by the service's exact `command`;
 * `postgres` runs the embedded PostgreSQL binaries configured from the image's POSTGRES_*
 * variables, and `redis` runs the `redis-server` on PATH with the service's own command.
 * Each service gets a home and TMPDIR of its own: no file is shared between services.
 */
const POSTGRES_MAIN = fileURLToPath(new URL("./postgres-service-main.js", import.meta.url));

interface ComposeService {
  image?: string;
  build?: unknown;
  command?: string[];
  environment?: Record<string, string | number | boolean | null>;
  secrets?: string[];
  ports?: string[];
}

export interface ComposeFile {
  services: Record<string, ComposeService>;
  secrets?: Record<string, { file: string }>;
}

/** Compose's variable interpolation, failing as Compose does on `${VAR:?message}`. */
function interpolate(text: string, vars: Record<string, string | undefined>): string {
  return text.replace(/\$\$|\$\{(\w+)(?:(:?[-?])([^}]*))?\}/g, (whole, name, op, arg) => {
    if (whole === "$$") return "$";
    const value = vars[name];
    const unset = op?.startsWith(":") ? !value : value === undefined;
    if (op?.endsWith("?") && unset) throw new Error(`compose: ${name}: ${arg}`);
    if (op?.endsWith("-") && unset) return arg;
    return value ?? "";
  });
}

export function readCompose(path: string, vars: Record<string, string | undefined>): ComposeFile {
  return parse(interpolate(readFileSync(path, "utf8"), vars), { merge: true }) as ComposeFile;
}

/**
 * The local process of one service. `projectDir` is where the compose file's relative paths
 * (secret files) are resolved; `stateDir` holds the service's home, TMPDIR and volumes.
 */
export function composeServiceSpec(
  compose: ComposeFile,
  name: string,
  options: { projectDir: string; stateDir: string; extraCommand?: string[] },
): ServiceSpec {
  const service = compose.services[name];
  if (!service) throw new Error(`compose: no service ${name}`);
  const home = join(options.stateDir, name);
  const tmp = join(home, "tmp");
  mkdirSync(tmp, { recursive: true });
  const env: Record<string, string> = { HOME: home, TMPDIR: tmp };
  for (const [k, v] of Object.entries(service.environment ?? {})) env[k] = v === null ? "" : String(v);
  const secrets: Record<string, string> = {};
  for (const secret of service.secrets ?? []) {
    const file = compose.secrets?.[secret]?.file;
    if (!file) throw new Error(`compose: service ${name} uses undeclared secret ${secret}`);
    secrets[secret] = resolve(options.projectDir, file);
  }
  const mounts: Record<string, Record<string, string>> = Object.keys(secrets).length
    ? { "/run/secrets": secrets }
    : {};
  const command = options.extraCommand ?? service.command ?? [];
  const image = service.image ?? "";
  if (service.build !== undefined || image.startsWith("neurogrid:")) {
    return { name, argv: imageArgv(command), env, cwd: REPO_ROOT, mounts };
  }
  if (image.startsWith("postgres:")) {
    return {
      name,
      argv: [process.execPath, POSTGRES_MAIN, join(home, "pgdata"), "5432"],
      env,
      cwd: home,
      mounts,
    };
  }
  if (image.startsWith("redis:")) {
    return { name, argv: command.length ? command : ["redis-server"], env, cwd: home, mounts };
  }
  throw new Error(`compose: no local stand-in for image ${image} (service ${name})`);
}

/** The container ports a service publishes (`HOST:CONTAINER`). */
export function publishedPorts(compose: ComposeFile, name: string): number[] {
  return (compose.services[name]?.ports ?? []).map((p) => Number(String(p).split(":").pop()));
}
