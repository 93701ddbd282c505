/** Resolves at the first Ctrl-C or SIGTERM: a long-running command then stops what it started. */
export function untilSignal(): Promise<void> {
  return new Promise((resolve) => {
    process.once("SIGINT", () => resolve());
    process.once("SIGTERM", () => resolve());
  });
}
