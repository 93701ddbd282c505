import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { parse, parseAllDocuments } from "yaml";

/**
 * `helm template` for the subset of Go templates the NeuroGrid chart uses, so a test can render
 * it where no Helm binary exists. The chart keeps to this subset on purpose:
 *
 *   {{ .Values.a.b }}  {{ .Release.Name }}  {{ .Release.Namespace }}  {{ .Chart.Version }}
 *   {{ toJson .X }}    {{ quote .X }}
 *   {{ if .X }} ... {{ else }} ... {{ end }}     (Go truthiness: false, 0, "", empty list/map)
 *   {{- and -}} trim the whitespace before/after the action, as Go templates do
 *
 * Anything else is an error, so a template that leaves the subset fails the test rather than
 * rendering differently from Helm. Values are values.yaml deep-merged with the overrides
 * (maps merge, everything else replaces), as `helm template -f` does.
 */
type Scope = Record<string, unknown>;

export interface RenderedChart {
  /** The objects of every template, in file order. */
  objects: Record<string, unknown>[];
}

export function renderChart(
  chartDir: string,
  release: { name: string; namespace: string },
  overrides: Record<string, unknown> = {},
): RenderedChart {
  const chart = parse(readFileSync(join(chartDir, "Chart.yaml"), "utf8")) as Scope;
  const values = merge(parse(readFileSync(join(chartDir, "values.yaml"), "utf8")) as Scope, overrides);
  const scope: Scope = {
    Values: values,
    Release: { Name: release.name, Namespace: release.namespace },
    Chart: { Name: chart.name, Version: chart.version, AppVersion: chart.appVersion },
  };
  const objects: Record<string, unknown>[] = [];
  const dir = join(chartDir, "templates");
  for (const file of readdirSync(dir).sort()) {
    if (!file.endsWith(".yaml")) continue;
    const text = renderTemplate(readFileSync(join(dir, file), "utf8"), scope, file);
    for (const doc of parseAllDocuments(text)) {
      if (doc.errors.length) throw new Error(`${file}: ${doc.errors[0]?.message}\n${text}`);
      const object = doc.toJS() as Record<string, unknown> | null;
      if (object) objects.push(object);
    }
  }
  return { objects };
}

function merge(base: Scope, over: Scope): Scope {
  const out: Scope = { ...base };
  for (const [k, v] of Object.entries(over)) {
    const b = out[k];
    out[k] = isMap(b) && isMap(v) ? merge(b, v) : v;
  }
  return out;
}

const isMap = (v: unknown): v is Scope => typeof v === "object" && v !== null && !Array.isArray(v);

function renderTemplate(source: string, scope: Scope, file: string): string {
  // Split into text and actions, applying {{- and -}} trimming to the neighbouring text.
  const parts: { text?: string; action?: string }[] = [];
  const re = /\{\{(-?)\s*(.*?)\s*(-?)\}\}/g;
  let last = 0;
  let trimNext = false;
  for (let m = re.exec(source); m !== null; m = re.exec(source)) {
    let text = source.slice(last, m.index);
    if (trimNext) text = text.replace(/^\s+/, "");
    if (m[1] === "-") text = text.replace(/\s+$/, "");
    parts.push({ text }, { action: m[2] ?? "" });
    trimNext = m[3] === "-";
    last = m.index + m[0].length;
  }
  let tail = source.slice(last);
  if (trimNext) tail = tail.replace(/^\s+/, "");
  parts.push({ text: tail });

  let out = "";
  // One entry per open `if`: whether its current branch renders.
  const stack: { active: boolean; taken: boolean }[] = [];
  const rendering = () => stack.every((s) => s.active);
  for (const part of parts) {
    if (part.text !== undefined) {
      if (rendering()) out += part.text;
      continue;
    }
    const action = part.action ?? "";
    const [word, ...rest] = action.split(/\s+/);
    if (word === "if") {
      const cond = truthy(evaluate(rest.join(" "), scope, file));
      stack.push({ active: cond, taken: cond });
    } else if (word === "else") {
      const top = stack.at(-1);
      if (!top) throw new Error(`${file}: else without if`);
      top.active = !top.taken;
    } else if (word === "end") {
      if (!stack.pop()) throw new Error(`${file}: end without if`);
    } else if (rendering()) {
      out += String(evaluate(action, scope, file));
    }
  }
  if (stack.length) throw new Error(`${file}: if without end`);
  return out;
}

function evaluate(expr: string, scope: Scope, file: string): unknown {
  const [fn, arg, extra] = expr.split(/\s+/);
  if (extra !== undefined) throw new Error(`${file}: {{ ${expr} }} is outside the chart's template subset`);
  if (fn === "toJson" && arg) return JSON.stringify(lookup(arg, scope, file));
  if (fn === "quote" && arg) return JSON.stringify(String(lookup(arg, scope, file) ?? ""));
  if (fn?.startsWith(".") && arg === undefined) return lookup(fn, scope, file);
  throw new Error(`${file}: {{ ${expr} }} is outside the chart's template subset`);
}

function lookup(path: string, scope: Scope, file: string): unknown {
  if (!/^(\.[A-Za-z_][\w]*)+$/.test(path)) throw new Error(`${file}: ${path} is not a field path`);
  let value: unknown = scope;
  for (const key of path.slice(1).split(".")) {
    if (!isMap(value)) throw new Error(`${file}: ${path}: no field ${key}`);
    value = value[key];
  }
  if (value === undefined) throw new Error(`${file}: ${path} is not set (values.yaml declares every value)`);
  return value;
}

function truthy(v: unknown): boolean {
  if (Array.isArray(v)) return v.length > 0;
  if (isMap(v)) return Object.keys(v).length > 0;
  return Boolean(v);
}
