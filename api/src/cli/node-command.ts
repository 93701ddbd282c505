/**
 * `neurogrid node revoke NODE_ID [--database-url URL] [--head ADDR]`: an operator revokes a
 * provider's node straight against the database and the head, as the admin's `revokeNode`
 * mutation does (nodes/revoke-node.ts). The head is reached as a driver (cluster-access.ts:
 * NEUROGRID_TLS_* off loopback, NEUROGRID_CLUSTER_CREDENTIAL on it).
 */
import { ClusterClient } from "@neurogrid/cluster";
import type { Command } from "commander";
import { clusterClientOptions } from "../cluster-access.js";
import { openOrm } from "../db/orm.js";
import { revokeNode } from "../nodes/revoke-node.js";
import { type CliEnv, required } from "./cli-env.js";

export function registerNodeCommands(program: Command, env: CliEnv): void {
  const node = program.command("node").description("provider nodes (operator)");
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
}
