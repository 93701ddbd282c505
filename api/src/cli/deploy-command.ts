/**
 * `neurogrid model deploy NAME[@VERSION] --head ADDR [--min N] [--max N] [--target R] [--wait]`:
 * an operator puts a model version's deployment on the cluster (or rescales it), like
 * `serve deploy`. The replica spec is the one the dispatcher uses (tasks/model-actor-spec.ts:
 * builtin, downloaded from NEUROGRID_PUBLIC_URL, or read from the shared cache directory), the
 * bounds are the manifest's `deployment` section with these flags over it. With --wait (the
 * default) it shows each step and waits until the minimum number of replicas is alive.
 * Dispatchers take an existing deployment as it is, so the bounds set here stay until the next
 * deploy (or until the head restarts and a dispatcher applies the manifest's again).
 */
import { setTimeout as delay } from "node:timers/promises";
import { ClusterClient } from "@neurogrid/cluster";
import type { DeploymentInfo } from "@neurogrid/schema";
import type { Command } from "commander";
import { Model } from "../db/entities/index.js";
import { openOrm } from "../db/orm.js";
import { modelActorSpec } from "../tasks/model-actor-spec.js";
import { modelDeploymentSpec } from "../tasks/model-deployments.js";
import { type CliEnv, required } from "./cli-env.js";
import { cliProgress } from "./progress.js";

/** How often the replicas are counted while waiting for them. */
const WAIT_POLL_MS = 250;
/** How long --wait waits for the replicas unless --timeout-ms says otherwise. */
const DEFAULT_WAIT_TIMEOUT_MS = 300_000;

export function registerDeployCommand(model: Command, env: CliEnv): void {
  model
    .command("deploy <model>")
    .description("deploy a model version on the cluster (or rescale it): NAME or NAME@VERSION")
    .option("--head <address>", "the head", env.headAddress)
    .option("--database-url <url>")
    .option("--min <n>", "minimum replicas", integer)
    .option("--max <n>", "maximum replicas", integer)
    .option("--target <n>", "ongoing requests per replica the autoscaler aims at", Number)
    .option("--no-wait", "return once the head has the deployment")
    .option("--timeout-ms <ms>", "how long to wait for the replicas", integer, DEFAULT_WAIT_TIMEOUT_MS)
    .option("--json", "print the deployment as one JSON object (and no progress)")
    .action(async (ref: string, o, command: Command) => {
      if (!o.head) throw new Error("set NEUROGRID_HEAD_ADDRESS or --head");
      const json = Boolean(o.json);
      const progress = cliProgress(
        "model deploy",
        o.wait ? 3 : 2,
        { json, quiet: command.optsWithGlobals().quiet },
        { TERM: env.term },
      );
      const info = await progress.run(async () => {
        progress.step(`finding ${ref}`);
        const manifest = await findManifest(
          ref,
          required(o.databaseUrl ?? env.databaseUrl, "DATABASE_URL or --database-url"),
        );
        const deployment = modelDeploymentSpec(
          {
            ...manifest,
            deployment: {
              ...manifest.deployment,
              ...(o.min === undefined ? {} : { minReplicas: o.min }),
              ...(o.max === undefined ? {} : { maxReplicas: o.max }),
              ...(o.target === undefined ? {} : { targetOngoingRequests: o.target }),
            },
          },
          modelActorSpec(manifest, {
            cacheDir: env.modelCacheDir,
            publicUrl: env.publicUrl,
            artifactTokenSecret: env.jwtSecret,
          }),
        );
        const client = new ClusterClient({ headAddress: o.head });
        try {
          progress.step(
            `applying ${deployment.name} (${deployment.minReplicas}..${deployment.maxReplicas} replicas)`,
          );
          const handle = await client.applyDeployment(deployment);
          const applied = handle.info;
          handle.close();
          if (!o.wait) return applied;
          const want = deployment.minReplicas;
          progress.step(`waiting for ${want} replicas to be alive`, want);
          const deadline = Date.now() + o.timeoutMs;
          for (;;) {
            const now = await client.getDeployment(deployment.namespace, deployment.name);
            const alive = now.replicas.filter((r) => r.state === "ALIVE").length;
            progress.advance(alive);
            if (alive >= want) return now;
            if (Date.now() > deadline) {
              const why = now.replicas.map((r) => `${r.name} ${r.state} ${r.pendingReason ?? ""}`).join("; ");
              throw new Error(`only ${alive} of ${want} replicas alive after ${o.timeoutMs} ms (${why})`);
            }
            await delay(WAIT_POLL_MS);
          }
        } finally {
          client.close();
        }
      }, summarise);
      if (json) process.stdout.write(`${JSON.stringify(info)}\n`);
      else process.stdout.write(`${summarise(info)}\n`);
    });
}

function summarise(info: DeploymentInfo): string {
  const alive = info.replicas.filter((r) => r.state === "ALIVE").length;
  const { spec } = info;
  return `${spec.name}: ${alive} of ${info.targetReplicas} replicas alive (min ${spec.minReplicas}, max ${spec.maxReplicas}, target ${spec.targetOngoingRequests} ongoing per replica)`;
}

async function findManifest(ref: string, url: string) {
  const at = ref.lastIndexOf("@");
  const name = at > 0 ? ref.slice(0, at) : ref;
  const version = at > 0 ? ref.slice(at + 1) : undefined;
  const orm = await openOrm(url);
  try {
    const model = await orm.em
      .fork()
      .findOne(Model, version ? { name, version } : { name }, { orderBy: { createdAt: "desc" } });
    if (!model) throw new Error(`no model ${ref}`);
    return model.manifest;
  } finally {
    await orm.close();
  }
}

function integer(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0) throw new Error(`${value} is not a whole number`);
  return n;
}
