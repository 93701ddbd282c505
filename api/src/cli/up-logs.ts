/**
 * Where `neurogrid up`'s logs go: every line of every process it starts (the head's, each
 * worker's, their actors', the api's own) into <dataDir>/logs/<name>.log, as written (JSON
 * lines); the terminal gets `up`'s own summary and, readable, only what went wrong: a JSON line
 * at level error or fatal (pino's 50 and 60) as "[name] message", and a child's non-JSON stderr
 * (a crash's stack). Readiness lines and info logs stay in the files.
 */
import { appendFileSync, mkdirSync } from "node:fs";
import { join } from "node:path";

/** pino's level numbers: error 50, fatal 60. */
const ERROR_LEVEL = 50;

export interface UpLogs {
  /** The folder of the log files. */
  dir: string;
  /** A line a child printed (stream: its stdout or stderr). */
  childLine(name: string, line: string, stream: "out" | "err"): void;
}

export function upLogs(dataDir: string, show: (line: string) => void): UpLogs {
  const dir = join(dataDir, "logs");
  mkdirSync(dir, { recursive: true });
  const write = (name: string, line: string) => appendFileSync(join(dir, `${name}.log`), `${line}\n`);
  return {
    dir,
    childLine(name, line, stream) {
      if (!line.trim()) return;
      write(name, line);
      const json = parsed(line);
      if (json === undefined) {
        if (stream === "err") show(`[${name}] ${line}`);
      } else if (typeof json.level === "number" && json.level >= ERROR_LEVEL) {
        show(`[${name}] error: ${typeof json.msg === "string" ? json.msg : line}`);
      }
    },
  };
}

function parsed(line: string): Record<string, unknown> | undefined {
  if (!line.startsWith("{")) return undefined;
  try {
    const value = JSON.parse(line) as unknown;
    return typeof value === "object" && value !== null ? (value as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}
