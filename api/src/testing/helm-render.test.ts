/**
 * The chart renderer's subset behaves as Go templates do where the chart relies on it
 * (whitespace trimming, if/else, toJson, quote, values merged over values.yaml), and anything
 * outside the subset is refused rather than rendered differently from Helm.
 */
import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import { renderChart } from "./helm-render.js";

const dir = mkdtempSync(join(tmpdir(), "helm-render-"));
let charts = 0;

function chart(template: string, values: string): string {
  const root = join(dir, String(charts++));
  mkdirSync(join(root, "templates"), { recursive: true });
  writeFileSync(join(root, "Chart.yaml"), "apiVersion: v2\nname: t\nversion: 1.0.0\nappVersion: '1'\n");
  writeFileSync(join(root, "values.yaml"), values);
  writeFileSync(join(root, "templates", "t.yaml"), template);
  return root;
}

const release = { name: "rel", namespace: "ns" };

describe("renderChart", () => {
  after(() => rmSync(dir, { recursive: true, force: true }));

  it("trims around {{- -}}, takes if/else by Go truthiness, and merges overrides over values.yaml", () => {
    const template = [
      "kind: ConfigMap",
      "metadata:",
      "  name: {{ .Release.Name }}-{{ .Chart.Version }}",
      "data:",
      "  secret: {{ if .Values.existing }}{{ .Values.existing }}{{ else }}{{ .Release.Name }}-made{{ end }}",
      "  {{- if .Values.list }}",
      "  list: {{ toJson .Values.list }}",
      "  {{- end }}",
      "  quoted: {{ quote .Values.n }}",
      "  map: {{ toJson .Values.m }}",
      "",
    ].join("\n");
    const root = chart(template, 'existing: ""\nlist: []\nn: 3\nm: { a: 1, b: { c: 2 } }\n');
    const [plain] = renderChart(root, release).objects;
    assert.deepEqual(plain, {
      kind: "ConfigMap",
      metadata: { name: "rel-1.0.0" },
      data: { secret: "rel-made", quoted: "3", map: { a: 1, b: { c: 2 } } },
    });
    const [over] = renderChart(root, release, { existing: "mine", list: [1], m: { b: { d: 3 } } }).objects;
    assert.deepEqual(over?.data, {
      secret: "mine",
      list: [1],
      quoted: "3",
      map: { a: 1, b: { c: 2, d: 3 } },
    });
  });

  it("refuses what is outside the subset, and values that values.yaml does not declare", () => {
    assert.throws(
      () => renderChart(chart('a: {{ include "x" . }}\n', "{}\n"), release),
      /outside the chart's template subset/,
    );
    assert.throws(() => renderChart(chart("a: {{ .Values.x | default 1 }}\n", "{}\n"), release), /outside/);
    assert.throws(() => renderChart(chart("a: {{ .Values.missing }}\n", "{}\n"), release), /is not set/);
    assert.throws(
      () => renderChart(chart("{{ if .Values.a }}\na: 1\n", "a: 1\n"), release),
      /if without end/,
    );
  });
});
