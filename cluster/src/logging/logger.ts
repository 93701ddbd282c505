/**
 * Structured logs: one JSON object per line on stderr (pino), with the part that logs
 * (`component`: head, worker, actor), its node id, and per line the actor id and the caller's
 * trace id where there is one. Stdout stays for the readiness lines the tools wait for.
 *
 * Parts take a LogFn, `(message, fields?) => void`: any `(message: string) => void` fits it (a
 * test's collector, the api's own logger), and logFn() makes one from a pino logger. The
 * `level` field picks the level (info by default); the others go into the JSON line.
 */
import { type Logger, pino } from "pino";

export interface LogFields {
  level?: "debug" | "info" | "warn" | "error";
  actorId?: string;
  nodeId?: string;
  traceId?: string;
  [field: string]: unknown;
}

export type LogFn = (message: string, fields?: LogFields) => void;

export interface LoggerOptions {
  /** Fields on every line: component, nodeId, actorId, ... */
  bindings: Record<string, string>;
  /** File descriptor to write to; stderr by default. */
  fd?: number;
  level?: string;
}

export function createLogger(options: LoggerOptions): Logger {
  return pino(
    {
      base: { pid: process.pid, ...options.bindings },
      level: options.level ?? "info",
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: { level: (label) => ({ level: label }) },
    },
    // Synchronous: lines written just before the process exits are not lost.
    pino.destination({ dest: options.fd ?? 2, sync: true }),
  );
}

export function logFn(logger: Logger): LogFn {
  return (message, fields) => {
    if (fields === undefined) {
      logger.info(message);
      return;
    }
    const { level = "info", ...rest } = fields;
    logger[level](rest, message);
  };
}
