/**
 * Progress of a long CLI operation (`up`, `model register`, `payouts reconcile`, `token mint`),
 * on stderr, so that stdout carries only the command's result and scripts can parse it:
 *
 *   tty     stderr is a terminal: one live line redrawn in place (spinner, [step/steps], the
 *           step, its percentage when it has a size, elapsed time), replaced by one final line
 *           when the operation ends
 *   plain   stderr is not a terminal (CI, a pipe, a file) or TERM=dumb: one line per step as it
 *           starts and one at the end, no control characters
 *   silent  --quiet, or --json output requested: nothing
 *
 * While a live line is drawn, the command's other output goes through `print` (stdout) and
 * `note` (stderr, e.g. child process logs): the line is cleared, the text written, the line
 * drawn again below it, so a terminal that shows both streams stays readable.
 */

export type ProgressMode = "tty" | "plain" | "silent";

/** The bit of a stream the reporter needs (process.stderr, or a fake in tests). */
export interface ProgressStream {
  write(text: string): unknown;
  isTTY?: boolean;
  columns?: number;
}

export interface ProgressOptions {
  /** What runs, e.g. "up" or "model register"; it starts every line. */
  title: string;
  /** Steps the operation expects to take (shown as [i/steps]). */
  steps: number;
  mode: ProgressMode;
  /** Where progress goes: stderr. */
  stream: ProgressStream;
  /** Where `print` writes: stdout. */
  out: ProgressStream;
  /** Milliseconds clock; performance.now by default. */
  now?: () => number;
  /** How often the live line is redrawn (spinner, elapsed time); 0: only when something changes. */
  redrawMs?: number;
}

/** What of the environment the mode depends on (TERM), passed in by the command's entry. */
type ProgressEnv = { TERM?: string | undefined };

/** The mode for these flags and this stderr; decided once, where the command parses its flags. */
export function progressMode(
  flags: { quiet?: boolean; json?: boolean },
  stream: ProgressStream,
  env: ProgressEnv,
): ProgressMode {
  if (flags.quiet || flags.json) return "silent";
  return stream.isTTY === true && env.TERM !== "dumb" ? "tty" : "plain";
}

/** How often the tty line is redrawn (the spinner and the elapsed time) unless options say. */
const REDRAW_MS = 100;

const SPINNER = ["⠋", "⠙", "⠹", "⠸", "⠼", "⠴", "⠦", "⠧", "⠇", "⠏"];
const CLEAR_LINE = "\r\x1b[2K";
/** Live-line redraws caused by `advance` are at least this far apart. */
const MIN_ADVANCE_REDRAW_MS = 50;

export function formatElapsed(ms: number): string {
  const seconds = ms / 1000;
  if (seconds < 60) return `${seconds.toFixed(1)}s`;
  const whole = Math.floor(seconds);
  return `${Math.floor(whole / 60)}m${String(whole % 60).padStart(2, "0")}s`;
}

export class Progress {
  readonly #o: Required<Omit<ProgressOptions, "now" | "redrawMs">> & { redrawMs: number };
  readonly #now: () => number;
  readonly #startedMs: number;
  #step = 0;
  #label = "";
  #size: number | undefined;
  #done = 0;
  #frame = 0;
  #drawn = false;
  #lastDrawMs = 0;
  #timer: NodeJS.Timeout | undefined;
  #ended = false;

  constructor(options: ProgressOptions) {
    this.#o = { ...options, redrawMs: options.redrawMs ?? REDRAW_MS };
    this.#now = options.now ?? (() => performance.now());
    this.#startedMs = this.#now();
    if (this.#o.mode === "tty" && this.#o.redrawMs > 0) {
      this.#timer = setInterval(() => this.#draw(), this.#o.redrawMs);
      this.#timer.unref();
    }
  }

  /** Starts the next step; `size` (bytes, items) makes `advance` show a percentage. */
  step(label: string, size?: number): void {
    if (this.#ended) return;
    this.#step += 1;
    this.#label = label;
    this.#size = size !== undefined && size > 0 ? size : undefined;
    this.#done = 0;
    if (this.#o.mode === "plain") this.#o.stream.write(`${this.#o.title} ${this.#counter()} ${label}\n`);
    else this.#draw();
  }

  /** How much of the current step's size is done. */
  advance(done: number): void {
    if (this.#ended) return;
    this.#done = done;
    if (this.#o.mode === "tty" && this.#now() - this.#lastDrawMs >= MIN_ADVANCE_REDRAW_MS) this.#draw();
  }

  /** A line of the command's result, on stdout (printed in every mode). */
  print(line: string): void {
    this.#above(this.#o.out, line);
  }

  /** A line of something else on stderr (e.g. a child process's log), in every mode. */
  note(line: string): void {
    this.#above(this.#o.stream, line);
  }

  /** The operation succeeded: the final line, with `summary` if given. */
  done(summary?: string): void {
    this.#end(`✔ ${this.#o.title}`, `done in ${this.#elapsed()}${summary ? `: ${summary}` : ""}`);
  }

  /** The operation failed (its error is reported by the caller). */
  fail(): void {
    const at = this.#step > 0 ? ` at ${this.#counter()} ${this.#label}` : "";
    this.#end(`✖ ${this.#o.title}`, `failed${at} after ${this.#elapsed()}`);
  }

  /** Runs `work` as this operation: done() when it resolves, fail() (and rethrow) when it rejects. */
  async run<T>(work: (progress: Progress) => Promise<T>, summary?: (result: T) => string): Promise<T> {
    try {
      const result = await work(this);
      this.done(summary?.(result));
      return result;
    } catch (err) {
      this.fail();
      throw err;
    }
  }

  #end(ttyHead: string, text: string): void {
    if (this.#ended) return;
    this.#ended = true;
    clearInterval(this.#timer);
    if (this.#o.mode === "tty") this.#o.stream.write(`${CLEAR_LINE}${ttyHead} ${text}\n`);
    else if (this.#o.mode === "plain") this.#o.stream.write(`${this.#o.title} ${text}\n`);
  }

  #above(to: ProgressStream, line: string): void {
    const live = this.#drawn && !this.#ended;
    if (live) this.#o.stream.write(CLEAR_LINE);
    to.write(`${line}\n`);
    if (live) this.#draw();
  }

  #draw(): void {
    if (this.#o.mode !== "tty" || this.#ended || this.#step === 0) return;
    this.#frame = (this.#frame + 1) % SPINNER.length;
    const percent =
      this.#size === undefined ? "" : ` ${Math.min(100, Math.floor((this.#done / this.#size) * 100))}%`;
    const text = `${SPINNER[this.#frame]} ${this.#o.title} ${this.#counter()} ${this.#label}${percent} · ${this.#elapsed()}`;
    const width = (this.#o.stream.columns ?? 0) > 1 ? (this.#o.stream.columns as number) - 1 : text.length;
    this.#o.stream.write(`${CLEAR_LINE}${text.slice(0, width)}`);
    this.#drawn = true;
    this.#lastDrawMs = this.#now();
  }

  #counter(): string {
    return `[${this.#step}/${Math.max(this.#o.steps, this.#step)}]`;
  }

  #elapsed(): string {
    return formatElapsed(this.#now() - this.#startedMs);
  }
}

/** The reporter for a command that runs in this process: stderr for progress, stdout for results. */
export function cliProgress(
  title: string,
  steps: number,
  flags: { quiet?: boolean; json?: boolean },
  env: ProgressEnv,
): Progress {
  const mode = progressMode(flags, process.stderr, env);
  return new Progress({ title, steps, mode, stream: process.stderr, out: process.stdout });
}
