import { certsInit, certsIssue, DEFAULT_MEMBER_VALIDITY_DAYS } from "@neurogrid/cluster/cli";
import type { Command } from "commander";

/**
 * `neurogrid certs init DIR` and `neurogrid certs issue DIR --role R [--node-id N] [--host H]...`:
 * the cluster CA and one certificate per component, bound to its role (and a worker's node id).
 * The files and what the certificates carry: cluster/src/cli/certs.ts.
 */
export function registerCertsCommands(program: Command): void {
  const certs = program
    .command("certs")
    .description("the cluster's CA and per-component certificates (mutual TLS)");
  certs
    .command("init <dir>")
    .description("make the cluster CA: DIR/ca.crt and DIR/ca.key (keep ca.key off the cluster's machines)")
    .action((dir: string) => {
      const made = certsInit(dir);
      process.stdout.write(`${made.caCert}\n${made.caKey}\n`);
    });
  certs
    .command("issue <dir>")
    .description("issue a certificate for one component, signed by DIR's CA")
    .requiredOption("--role <role>", "head | worker | driver (api, dispatcher) | observer (status)")
    .option("--node-id <id>", "a worker's node id (required for --role worker)")
    .option("--host <name>", "a DNS name or IP address the component serves at (repeatable)", collect, [])
    .option("--days <n>", "validity in days", String(DEFAULT_MEMBER_VALIDITY_DAYS))
    .action((dir: string, o: { role: string; nodeId?: string; host: string[]; days: string }) => {
      const issued = certsIssue(dir, {
        role: o.role as Parameters<typeof certsIssue>[1]["role"],
        nodeId: o.nodeId,
        hosts: o.host,
        days: Number(o.days),
      });
      process.stdout.write(`${issued.cert}\n${issued.key}\n${issued.uri}\n`);
    });
}

function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}
