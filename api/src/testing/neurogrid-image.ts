import { readFileSync } from "node:fs";
import { isAbsolute, join } from "node:path";
import { fileURLToPath } from "node:url";

/**
 * The project's container image, as a local process for the deploy-file tests: the exec form
 * of the Dockerfile's ENTRYPOINT (of its last stage), its WORKDIR mapped to this checkout.
 */
export const REPO_ROOT = fileURLToPath(new URL("../../../", import.meta.url));

function dockerfileEntrypoint(): { entrypoint: string[]; workdir: string } {
  const text = readFileSync(join(REPO_ROOT, "Dockerfile"), "utf8");
  const finalStage = text.slice(text.lastIndexOf("\nFROM "));
  const entry = finalStage.match(/^ENTRYPOINT\s+(\[.*\])\s*$/m)?.[1];
  const workdir = finalStage.match(/^WORKDIR\s+(\S+)\s*$/m)?.[1];
  if (!entry || !workdir) throw new Error("the Dockerfile's last stage has no ENTRYPOINT [...] or WORKDIR");
  return { entrypoint: JSON.parse(entry) as string[], workdir };
}

/** The argv of the image run with `args` after its ENTRYPOINT (`command` instead of it). */
export function imageArgv(args: string[], command?: string[]): string[] {
  const { entrypoint, workdir } = dockerfileEntrypoint();
  const inImage = (path: string) =>
    isAbsolute(path) && path.startsWith(`${workdir}/`) ? join(REPO_ROOT, path.slice(workdir.length)) : path;
  const [program, ...rest] = [...(command ?? entrypoint), ...args].map(inImage);
  return [program === "node" ? process.execPath : (program ?? ""), ...rest];
}
