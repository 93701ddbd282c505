#!/usr/bin/env node
// The `neurogrid` command as npm links it at install time, before anything is built: npm links a
// package's bin only if the file exists when it installs, and the CLI itself is compiled into
// dist/ later (`npm run build`). This file is committed, and it starts the built CLI, or says
// in one sentence what to do when it is not built yet.
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";

const cli = new URL("../dist/cli/main.js", import.meta.url);
if (existsSync(fileURLToPath(cli))) {
  await import(cli.href);
} else {
  process.stderr.write(
    "neurogrid is not built yet: run `npm run build` in the repository's root first (or `npm start`, which builds and runs `neurogrid up`).\n",
  );
  process.exitCode = 1;
}
