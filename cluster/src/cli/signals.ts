/**
 * Clean stop on SIGTERM/SIGINT for the runnable entries: the first signal stops the component
 * and exits 0; a second signal, or a stop that hangs, exits at once with status 1.
 */
const FORCE_EXIT_AFTER_MS = 15_000;

export function stopOnSignals(stop: () => Promise<void>): void {
  let stopping = false;
  const onSignal = () => {
    if (stopping) process.exit(1);
    stopping = true;
    setTimeout(() => process.exit(1), FORCE_EXIT_AFTER_MS).unref();
    stop().then(
      () => process.exit(0),
      (err: unknown) => {
        process.stderr.write(`stop failed: ${err instanceof Error ? err.message : String(err)}\n`);
        process.exit(1);
      },
    );
  };
  process.on("SIGTERM", onSignal);
  process.on("SIGINT", onSignal);
}

/** For an entry's top-level failure: one line on stderr, exit status 2 for bad config, else 1. */
export function exitWithError(err: unknown): never {
  const message = err instanceof Error ? err.message : String(err);
  process.stderr.write(`${message}\n`);
  const code = (err as { code?: unknown } | null)?.code;
  process.exit(code === "INVALID_ARGUMENT" ? 2 : 1);
}
