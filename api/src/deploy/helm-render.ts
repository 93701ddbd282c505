/**
 * A renderer for the subset of Helm templates this chart uses, so CI can check the chart
 * without a helm binary: `{{ .Values.a.b }}`, `{{ .Release.Name }}` and `{{ toJson .Values.x }}`.
 * Anything else inside `{{ }}` is an error: the chart must stay within what is checked.
 */
export function renderHelm(template: string, values: Record<string, unknown>, releaseName: string): string {
  return template.replace(/\{\{\s*(.*?)\s*\}\}/g, (_m, expr: string) => {
    const toJson = /^toJson\s+(\S+)$/.exec(expr);
    const path = toJson ? (toJson[1] ?? "") : expr;
    const value = lookup(path, values, releaseName);
    return toJson ? JSON.stringify(value) : String(value);
  });
}

function lookup(path: string, values: Record<string, unknown>, releaseName: string): unknown {
  if (path === ".Release.Name") return releaseName;
  if (!path.startsWith(".Values.")) throw new Error(`unsupported template expression: ${path}`);
  let node: unknown = values;
  for (const key of path.slice(".Values.".length).split(".")) {
    if (node === null || typeof node !== "object" || !(key in node)) throw new Error(`no value ${path}`);
    node = (node as Record<string, unknown>)[key];
  }
  return node;
}
