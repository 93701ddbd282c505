/**
 * What running the deploy files (deploy-tests/compose.test.ts, deploy-tests/helm.test.ts)
 * cannot show: every NeuroGrid environment variable they set is one the code reads (a
 * misspelled one would be ignored silently and the run could still pass), none of them runs
 * plain text (--insecure), compose's worker reserves the host's GPUs, and only the payouts
 * service is given key files.
 */

import assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { fileURLToPath } from "node:url";
import { parse } from "yaml";
import { renderChart } from "../testing/helm-render.js";

const ROOT = fileURLToPath(new URL("../../../", import.meta.url));
const CHART = join(ROOT, "deploy/helm/neurogrid");
const read = (path: string) => readFileSync(join(ROOT, path), "utf8");
/** The compiled sources that read environment variables (api's options, the cluster's configs). */
const codeThatReadsEnv = () =>
  [
    "api/dist/cli/api-options.js",
    "api/dist/cli/cli-env.js",
    "api/dist/payouts/payouts-config.js",
    ...readdirSync(join(ROOT, "cluster/dist"))
      .filter((f) => /^config.*\.js$/.test(f))
      .map((f) => `cluster/dist/${f}`),
  ]
    .map(read)
    .join("\n");
const ours = (key: string) => key.startsWith("NEUROGRID_") || ["DATABASE_URL", "REDIS_URL"].includes(key);

interface ComposeService {
  environment?: Record<string, string>;
  deploy?: unknown;
}

test("every NeuroGrid variable that docker-compose.yml and the chart set is read by the code", () => {
  const code = codeThatReadsEnv();
  const compose = parse(read("docker-compose.yml"), { merge: true }) as {
    services: Record<string, ComposeService>;
  };
  for (const [name, service] of Object.entries(compose.services))
    for (const key of Object.keys(service.environment ?? {}).filter(ours))
      assert.ok(code.includes(`"${key}"`) || code.includes(`.${key}`), `compose ${name}: ${key} is read`);

  const { objects } = renderChart(CHART, { name: "ng", namespace: "ng" });
  const env = [...JSON.stringify(objects).matchAll(/\{"name":"([A-Z_]+)","value(?:From)?"/g)].map(
    (m) => m[1] ?? "",
  );
  // The worker's script exports its node id and token from files.
  const exported = [...JSON.stringify(objects).matchAll(/export (\w+)=/g)].map((m) => m[1] ?? "");
  const set = [...env, ...exported].filter(ours);
  assert.ok(set.includes("NEUROGRID_PUBLIC_URL") && set.includes("NEUROGRID_NODE_ID"), set.join(" "));
  for (const key of set)
    assert.ok(code.includes(`"${key}"`) || code.includes(`.${key}`), `chart: ${key} is read`);
});

test("no deploy file runs plain text, and compose's worker reserves the host's GPUs", () => {
  const chartFiles = readdirSync(join(CHART, "templates")).map((f) => `deploy/helm/neurogrid/templates/${f}`);
  for (const file of ["docker-compose.yml", "deploy/helm/neurogrid/values.yaml", ...chartFiles])
    assert.doesNotMatch(read(file), /--insecure/, `${file} runs plain text`);
  const compose = parse(read("docker-compose.yml"), { merge: true }) as {
    services: Record<string, ComposeService>;
  };
  assert.match(JSON.stringify(compose.services.worker?.deploy), /"capabilities":\["gpu"\]/);
});

test("only compose's payouts service is given key files (the api and the rest never are)", () => {
  const compose = parse(read("docker-compose.yml"), { merge: true }) as {
    services: Record<string, ComposeService>;
  };
  assert.ok(compose.services.payouts, "compose has a payouts service");
  for (const [name, service] of Object.entries(compose.services)) {
    const keys = Object.keys(service.environment ?? {}).filter((k) => k.endsWith("_KEYPAIR"));
    if (name === "payouts")
      assert.deepEqual(keys.sort(), ["NEUROGRID_HOT_WALLET_KEYPAIR", "NEUROGRID_TREASURY_KEYPAIR"]);
    else assert.deepEqual(keys, [], `${name} gets no key file`);
  }
});
