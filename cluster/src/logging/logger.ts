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

/** Info and debug lines wait at most this long in the buffer. */
const FLUSH_MS = 200;
/** A buffer this full is written at once. */
const BUFFER_BYTES = 8 * 1024;

/**
 * Info and debug lines are buffered (written when 8 KiB have gathered, every 200 ms, and when
 * the process exits): a busy actor logs every traced call, and one write(2) per line cost it a
 * third of its CPU. A warning or an error is written at once, with the lines before it, so
 * what explains a failure is on disk before the process can die of it. (A process killed with
 * SIGKILL loses at most the last 200 ms of info lines.)
 */
export function createLogger(options: LoggerOptions): Logger {
  const destination = pino.destination({
    dest: options.fd ?? 2,
    sync: true,
    minLength: BUFFER_BYTES,
  });
  const flush = () => {
    try {
      destination.flushSync();
    } catch {
      // Nothing to write, or the descriptor is gone (the process is exiting).
    }
  };
  setInterval(flush, FLUSH_MS).unref();
  process.once("exit", flush);
  return pino(
    {
      base: { pid: process.pid, ...options.bindings },
      level: options.level ?? "info",
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: { level: (label) => ({ level: label }) },
      hooks: {
        logMethod(args, method, level) {
          method.apply(this, args);
          // warn (40) and above: on disk now, after the buffered lines before it.
          if (level >= 40) flush();
        },
      },
    },
    destination,
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
