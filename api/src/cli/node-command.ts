/**
 * `neurogrid node register --name NAME --config FILE`: a provider's machine joins (node-register.ts).
 *
 * `neurogrid node revoke NODE_ID [--database-url URL] [--head ADDR]`: an operator revokes a
 * provider's node straight against the database and the head, as the admin's `revokeNode`
 * mutation does (nodes/revoke-node.ts). The head is reached as a driver (cluster-access.ts:
 * NEUROGRID_TLS_* off loopback, NEUROGRID_CLUSTER_CREDENTIAL on it).
 *
 * `neurogrid node quarantine NODE_ID --reason WHY` and `neurogrid node restore NODE_ID`: the
 * same, for a node's quarantine (nodes/node-quarantine.ts; restore is the admin's `restoreNode`).
 */
import type { EntityManager } from "@mikro-orm/postgresql";
import { ClusterClient } from "@neurogrid/cluster";
import type { Command } from "commander";
import { clusterClientOptions } from "../cluster-access.js";
import { openOrm } from "../db/orm.js";
import { quarantineNode, restoreNode } from "../nodes/node-quarantine.js";
import { revokeNode } from "../nodes/revoke-node.js";
import { type CliEnv, required } from "./cli-env.js";
import { registerNodeWithConfig } from "./node-register.js";

export function registerNodeCommands(program: Command, env: CliEnv): void {
  const node = program.command("node").description("provider nodes");
  node
    .command("register")
    .description(
      "register a machine you own: prints its node id and token once, and writes them into the worker's config",
    )
    .requiredOption("--name <name>", "a name for the machine (letters, digits, . _ -)")
    .requiredOption(
      "--config <file>",
      "the worker config file to create or update (YAML, or JSON for .json), mode 0600",
    )
    .option("--api-url <url>", "the api (NEUROGRID_API_URL)", env.apiUrl ?? env.publicUrl)
    .option("--api-key <key>", "your provider API key (NEUROGRID_API_KEY)", env.apiKey)
    .option("--head <address>", "the head's HOST:PORT, written into the config", env.headAddress)
    .option("--data-dir <dir>", "the worker's data folder, written into the config")
    .action(
      async (o: {
        name: string;
        config: string;
        apiUrl?: string;
        apiKey?: string;
        head?: string;
        dataDir?: string;
      }) => {
        const registered = await registerNodeWithConfig({
          name: o.name,
          config: o.config,
          apiUrl: required(o.apiUrl, "NEUROGRID_API_URL or --api-url"),
          apiKey: required(o.apiKey, "NEUROGRID_API_KEY or --api-key"),
          headAddress: o.head,
          dataDir: o.dataDir,
        });
        process.stdout.write(
          `node id:    ${registered.nodeId}\nnode token: ${registered.nodeToken}\n` +
            `(shown once; both are in ${registered.configFile}, mode 0600)\n` +
            `next: neurogrid worker --config ${registered.configFile} --test-config\n`,
        );
      },
    );
  node
    .command("revoke")
    .description("revoke a node for good: the head refuses it at once, and a connected node is DEAD")
    .argument("<nodeId>", "the node's id")
    .option("--database-url <url>")
    .option("--head <address>", "the head", env.headAddress)
    .action(async (nodeId: string, o: { databaseUrl?: string; head?: string }) => {
      const databaseUrl = required(o.databaseUrl ?? env.databaseUrl, "DATABASE_URL or --database-url");
      const headAddress = required(o.head, "NEUROGRID_HEAD_ADDRESS or --head");
      const cluster = new ClusterClient(clusterClientOptions({ ...env, headAddress }));
      const orm = await openOrm(databaseUrl);
      try {
        const { wasAlive } = await revokeNode(orm.em.fork(), cluster, nodeId);
        process.stdout.write(`node ${nodeId} revoked${wasAlive ? " (it was alive; it is DEAD now)" : ""}\n`);
      } finally {
        cluster.close();
        await orm.close();
      }
    });
  node
    .command("quarantine")
    .description("quarantine a node: it takes no new actors, and its actors move to other nodes")
    .argument("<nodeId>", "the node's id")
    .requiredOption("--reason <why>", "why (shown in status and in pending actors' reasons)")
    .option("--database-url <url>")
    .option("--head <address>", "the head", env.headAddress)
    .action(async (nodeId: string, o: { reason: string; databaseUrl?: string; head?: string }) => {
      const node = await withNodeAccess(env, o, (em, cluster) =>
        quarantineNode(em, cluster, nodeId, o.reason),
      );
      process.stdout.write(`node ${nodeId} quarantined: ${node.quarantineReason ?? o.reason}\n`);
    });
  node
    .command("restore")
    .description("take a node out of quarantine (its reputation is unchanged)")
    .argument("<nodeId>", "the node's id")
    .option("--database-url <url>")
    .option("--head <address>", "the head", env.headAddress)
    .action(async (nodeId: string, o: { databaseUrl?: string; head?: string }) => {
      await withNodeAccess(env, o, (em, cluster) => restoreNode(em, cluster, nodeId));
      process.stdout.write(`node ${nodeId} restored: it takes actors again\n`);
    });
}

/** Runs `work` with the api's database and the head (as a driver), both closed after. */
async function withNodeAccess<T>(
  env: CliEnv,
  o: { databaseUrl?: string; head?: string },
  work: (em: EntityManager, cluster: ClusterClient) => Promise<T>,
): Promise<T> {
  const databaseUrl = required(o.databaseUrl ?? env.databaseUrl, "DATABASE_URL or --database-url");
  const headAddress = required(o.head, "NEUROGRID_HEAD_ADDRESS or --head");
  const cluster = new ClusterClient(clusterClientOptions({ ...env, headAddress }));
  const orm = await openOrm(databaseUrl);
  try {
    return await work(orm.em.fork(), cluster);
  } finally {
    cluster.close();
    await orm.close();
  }
}
