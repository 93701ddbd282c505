#!/usr/bin/env node
// Fails when a comment names a file that does not exist, so comments cannot keep pointing at
// files that were renamed, split or deleted. It reads every .ts/.tsx/.mjs/.cjs file under the
// packages' src/ folders and scripts/, takes the comments from TypeScript's own parser (so a
// `//` inside a string or a regular expression is never read as a comment), and looks in them
// for tokens that end in a source, doc or config file extension, with or without directories.
//
// A named path exists when it resolves against the commenting file's folder, its package's
// src/, its package's root or the repository root; or, for a name without a leading ./ or ../,
// when some file of the repository (tracked, or new and not ignored) ends with `/` + the name.
// A path in a package's dist/ names its source in src/, and a .js name also names the .ts file
// of that name (as an ESM import does). A path inside an installed npm package (its name, then
// the file's path in it) resolves against node_modules. URLs, globs (`*`), absolute paths and
// bare extensions (`.proto`) are not paths. Prints `file:line: path` for each
// missing one and exits 1 if there is any.
import { execFileSync } from "node:child_process";
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { dirname, join, relative, resolve, sep } from "node:path";
import { fileURLToPath } from "node:url";
import ts from "typescript";

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const PACKAGES = ["schema", "cluster", "contracts", "api"];
const SOURCE = /\.(ts|tsx|mjs|cjs)$/;
const EXTENSIONS = "ts|js|mjs|cjs|proto|md|json|yml|yaml|csv|onnx|graphql|sql|sh";
// A run of path characters ending in one of the extensions (not followed by more of a name).
const PATH_TOKEN = new RegExp(`[\\w@.~/*-]*\\.(?:${EXTENSIONS})(?![\\w-])`, "g");
// Names of things that are not files.
const NOT_PATHS = new Set(["node.js"]);

function walk(dir) {
  let out = [];
  let names;
  try {
    names = readdirSync(dir);
  } catch {
    return out;
  }
  for (const name of names) {
    if (name === "node_modules" || name === "dist") continue;
    const full = join(dir, name);
    if (statSync(full).isDirectory()) out = out.concat(walk(full));
    else if (SOURCE.test(name) && !name.endsWith(".d.ts")) out.push(full);
  }
  return out;
}

function repoFiles() {
  const listed = execFileSync("git", ["ls-files", "-z", "--cached", "--others", "--exclude-standard"], {
    cwd: ROOT,
    encoding: "utf8",
    maxBuffer: 64 * 1024 * 1024,
  });
  return listed
    .split("\0")
    .filter((f) => f !== "" && existsSync(join(ROOT, f)))
    .map((f) => `/${f}`);
}

/** Every comment of a file with its start offset, from the parser's view of the file. */
function commentsOf(file, text) {
  const kind = file.endsWith(".tsx")
    ? ts.ScriptKind.TSX
    : file.endsWith(".ts")
      ? ts.ScriptKind.TS
      : ts.ScriptKind.JS;
  const source = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true, kind);
  const seen = new Map();
  const add = (ranges) => {
    for (const r of ranges ?? []) if (!seen.has(r.pos)) seen.set(r.pos, text.slice(r.pos, r.end));
  };
  const visit = (node) => {
    add(ts.getLeadingCommentRanges(text, node.pos));
    add(ts.getTrailingCommentRanges(text, node.end));
    for (const child of node.getChildren(source)) visit(child);
  };
  // A file that starts with a shebang has its first comments after it.
  add(ts.getLeadingCommentRanges(text, ts.getShebang(text)?.length ?? 0));
  visit(source);
  return { source, comments: [...seen.entries()] };
}

/** The places a named path may mean, in the order they are tried. */
function candidates(path, file) {
  const fileDir = dirname(file);
  const pkg = PACKAGES.find((p) => file.startsWith(join(ROOT, p) + sep));
  const bases = [fileDir];
  if (pkg) bases.push(join(ROOT, pkg, "src"), join(ROOT, pkg));
  bases.push(ROOT);
  const names = [path];
  if (/(^|\/)dist\//.test(path)) names.push(path.replace(/(^|\/)dist\//, "$1src/"));
  for (const name of [...names]) {
    if (name.endsWith(".js")) names.push(name.replace(/\.js$/, ".ts"), name.replace(/\.js$/, ".tsx"));
    if (name.endsWith(".mjs")) names.push(name.replace(/\.mjs$/, ".mts"));
  }
  const out = [];
  for (const name of names) {
    for (const base of bases) out.push(resolve(base, name));
    out.push(join(ROOT, "node_modules", name));
    if (pkg) out.push(join(ROOT, pkg, "node_modules", name));
  }
  return { names, paths: out };
}

function exists(path, file, files) {
  const { names, paths } = candidates(path, file);
  if (paths.some((p) => existsSync(p))) return true;
  if (path.startsWith("./") || path.startsWith("../")) return false;
  return names.some((name) => files.some((f) => f.endsWith(`/${name}`)));
}

function isPath(token, comment, index) {
  if (token.includes("*")) return false;
  if (token.startsWith("/") || token.startsWith("~")) return false;
  if (NOT_PATHS.has(token.toLowerCase())) return false;
  // A bare extension (".proto files") or a name that starts with its dot.
  const base = token.slice(token.lastIndexOf("/") + 1);
  if (base.indexOf(".") <= 0) return false;
  // Part of a URL: scheme://host/path or host/path after "//".
  let start = index;
  while (start > 0 && !/\s/.test(comment[start - 1])) start--;
  const word = comment.slice(start, index + token.length);
  if (word.includes("://") || /^(www\.|[\w-]+\.(com|org|io|dev|net)\/)/.test(token)) return false;
  return true;
}

const files = repoFiles();
const sources = [...PACKAGES.map((p) => join(ROOT, p, "src")), join(ROOT, "scripts")].flatMap(walk).sort();
const missing = [];
for (const file of sources) {
  const text = readFileSync(file, "utf8");
  const { source, comments } = commentsOf(file, text);
  for (const [pos, comment] of comments) {
    for (const match of comment.matchAll(PATH_TOKEN)) {
      // A token ends before sentence punctuation: a full stop after a name is not part of it.
      const token = match[0].replace(/^[.]+(?=[^./])/, "");
      if (!isPath(token, comment, match.index)) continue;
      if (exists(token, file, files)) continue;
      const { line } = source.getLineAndCharacterOfPosition(pos + match.index);
      missing.push(`${relative(ROOT, file)}:${line + 1}: ${token}`);
    }
  }
}
for (const m of missing) console.log(m);
if (missing.length > 0) {
  console.error(`${missing.length} file path(s) named in comments do not exist`);
  process.exit(1);
}
