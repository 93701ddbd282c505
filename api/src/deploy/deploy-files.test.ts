/**
 * docker-compose.yml and the Helm chart, checked as far as a machine without Docker or Helm
 * allows: they parse; the services and workloads the deployment needs are there; every command
 * they run is a `neurogrid` command whose flags our own parsers accept; every NeuroGrid
 * environment variable they set is one the code reads; the chart renders (its template subset)
 * to Kubernetes objects that pass a schema; the worker asks for GPUs.
 */

import assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { fileURLToPath } from "node:url";
import { parseHeadConfig, parseWorkerConfig } from "@neurogrid/cluster/cli";
import { Ajv } from "ajv";
import { parse, parseAllDocuments } from "yaml";
import { renderHelm } from "./helm-render.js";

const ROOT = fileURLToPath(new URL("../../../", import.meta.url));
const read = (path: string) => readFileSync(join(ROOT, path), "utf8");
const knownEnv = () =>
  [
    "api/dist/cli/api-options.js",
    ...readdirSync(join(ROOT, "cluster/dist"))
      .filter((f) => /^config.*\.js$/.test(f))
      .map((f) => `cluster/dist/${f}`),
  ]
    .map(read)
    .join("\n");

/** Checks one `neurogrid` command line against the real parsers. */
function checkCommand(args: string[]): void {
  // Environment references ($(REDIS_URL), ${NODE_ID:-…}) become plausible values of their kind.
  const [command, ...rest] = args.map((a) =>
    a
      .replace(/\$\(REDIS_URL\)/g, "redis://redis:6379")
      .replace(/\$\(([A-Z_]+)\)|\$\{[^}]+\}/g, "placeholder-1"),
  );
  const env = { NEUROGRID_HEAD_ADDRESS: "head:50051" };
  switch (command) {
    case "head":
      parseHeadConfig(rest, env);
      break;
    case "worker":
      parseWorkerConfig(rest, env);
      break;
    case "api":
    case "migrate":
    case "dispatcher":
      for (const flag of rest.filter((a) => a.startsWith("--"))) {
        assert.ok(
          ["--host", "--port", "--head", "--database-url", "--redis-url", "--no-dispatcher"].includes(flag),
          flag,
        );
      }
      break;
    default:
      assert.fail(`not a neurogrid command: ${command}`);
  }
}

test("docker-compose.yml: the services, their commands, their environment", () => {
  const compose = parse(read("docker-compose.yml"), { merge: true }) as {
    services: Record<
      string,
      { command?: string[]; environment?: Record<string, string>; depends_on?: object; deploy?: unknown }
    >;
  };
  const services = compose.services;
  for (const name of ["postgres", "redis", "migrate", "head", "api", "worker"])
    assert.ok(services[name], name);
  const env = knownEnv();
  for (const [name, service] of Object.entries(services)) {
    for (const dep of Object.keys(service.depends_on ?? {}))
      assert.ok(services[dep], `${name} depends on ${dep}`);
    if (["postgres", "redis"].includes(name)) continue;
    assert.ok(service.command, `${name} runs a command`);
    checkCommand(service.command);
    for (const key of Object.keys(service.environment ?? {})) {
      if (key.startsWith("NEUROGRID_") || ["DATABASE_URL", "REDIS_URL"].includes(key)) {
        assert.ok(env.includes(key), `${name}: ${key} is read by the code`);
      }
    }
  }
  assert.match(JSON.stringify(services.worker?.deploy), /"capabilities":\["gpu"\]/);
});

const k8sObject = {
  type: "object",
  required: ["apiVersion", "kind", "metadata", "spec"],
  properties: {
    apiVersion: { enum: ["apps/v1", "v1"] },
    kind: { enum: ["Deployment", "DaemonSet", "Service"] },
    metadata: {
      type: "object",
      required: ["name"],
      properties: { name: { type: "string", pattern: "^[a-z0-9-]+$" } },
    },
  },
};

test("the Helm chart renders to valid head and api Deployments and a GPU worker DaemonSet", () => {
  const chart = "deploy/helm/neurogrid";
  const chartYaml = parse(read(`${chart}/Chart.yaml`)) as { apiVersion: string; name: string };
  assert.equal(chartYaml.apiVersion, "v2");
  const values = parse(read(`${chart}/values.yaml`)) as Record<string, unknown>;
  const validate = new Ajv().compile(k8sObject);
  const objects: { kind: string; metadata: { name: string }; spec: Record<string, unknown> }[] = [];
  for (const file of readdirSync(join(ROOT, chart, "templates"))) {
    const rendered = renderHelm(read(`${chart}/templates/${file}`), values, "ng");
    for (const doc of parseAllDocuments(rendered)) {
      assert.deepEqual(doc.errors, [], `${file} is YAML`);
      const obj = doc.toJS() as (typeof objects)[number];
      assert.ok(validate(obj), `${file}: ${JSON.stringify(validate.errors)}`);
      objects.push(obj);
    }
  }
  const kinds = objects.map((o) => `${o.kind}/${o.metadata.name}`).sort();
  assert.deepEqual(kinds, [
    "DaemonSet/ng-worker",
    "Deployment/ng-api",
    "Deployment/ng-head",
    "Service/ng-api",
    "Service/ng-head",
  ]);
  for (const o of objects.filter((x) => x.kind !== "Service")) {
    const spec = o.spec as {
      selector: { matchLabels: Record<string, string> };
      template: { metadata: { labels: Record<string, string> }; spec: { containers: { args: string[] }[] } };
    };
    assert.deepEqual(
      spec.selector.matchLabels,
      spec.template.metadata.labels,
      `${o.metadata.name} selects its pods`,
    );
    for (const c of spec.template.spec.containers) checkCommand(c.args);
  }
  const worker = objects.find((o) => o.kind === "DaemonSet");
  assert.match(JSON.stringify(worker), /"nvidia.com\/gpu":1/);
});
