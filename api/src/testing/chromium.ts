import { accessSync, constants } from "node:fs";
import { delimiter, join } from "node:path";
import { type Browser, chromium } from "playwright-core";

/**
 * Debian's Chromium, driven by playwright-core, for the dashboard's browser tests. Nothing leaves
 * the machine: every host name but 127.0.0.1 fails to resolve, and Chromium's own background
 * traffic (updates, sync, first-run pings) is off. CI installs the package when it is missing.
 */
const EXECUTABLE_NAMES = ["chromium", "chromium-browser"];
const OFFLINE_ARGS = [
  "--host-resolver-rules=MAP * ~NOTFOUND , EXCLUDE 127.0.0.1",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
  "--no-first-run",
  "--no-default-browser-check",
];

/** The Chromium executable on PATH, or an error saying how to install it. */
function findChromium(path: string | undefined = process.env.PATH): string {
  for (const dir of (path ?? "").split(delimiter).filter(Boolean)) {
    for (const name of EXECUTABLE_NAMES) {
      const candidate = join(dir, name);
      try {
        accessSync(candidate, constants.X_OK);
        return candidate;
      } catch {}
    }
  }
  throw new Error("no chromium on PATH: install Debian's chromium package (`apt-get install chromium`)");
}

export async function launchChromium(): Promise<Browser> {
  const asRoot = typeof process.getuid === "function" && process.getuid() === 0;
  return chromium.launch({
    executablePath: findChromium(),
    headless: true,
    args: asRoot ? [...OFFLINE_ARGS, "--no-sandbox"] : OFFLINE_ARGS,
  });
}
