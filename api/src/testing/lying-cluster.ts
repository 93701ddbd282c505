import type { Child } from "../cli/child-process.js";
import { runCli, startHead, startWorker } from "./local-cluster.js";

/** Room each worker offers: three replicas of the small model on a two-core machine. */
const WORKER_MEMORY_MB = "300";

/**
 * The cluster of a result-verification test: a head, one worker whose model actors lie on a
 * share `lieRate` of their answers (--fault-injection-rate; every answer by default) and honest
 * ones, each node registered to a provider of its own by the caller, and mlp-classifier deployed with one replica per node, so a spot check and
 * a referee always find another provider's replica. A liar on every answer fails onboarding (it
 * answers every known-answer task wrong), so an api that must see it serve turns onboarding off
 * (NEUROGRID_ONBOARDING=false). `onLine` hears each worker's output (its actors' call logs).
 */
export async function startLyingCluster(
  databaseUrl: string,
  nodes: { liar: string; honest: string[] },
  opts: { lieRate?: number; onLine?: (nodeId: string, line: string) => void } = {},
): Promise<{ headAddress: string; children: Child[] }> {
  const children: Child[] = [];
  const head = await startHead();
  children.push(head.child);
  const room = ["--memory-mb", WORKER_MEMORY_MB, "--cpus", "1"];
  const { lieRate = 1, onLine } = opts;
  const heard = (node: string) => (onLine ? (line: string) => onLine(node, line) : undefined);
  const lies = [...room, "--fault-injection-rate", String(lieRate)];
  children.push(await startWorker(head.address, nodes.liar, lies, heard(nodes.liar)));
  for (const node of nodes.honest) children.push(await startWorker(head.address, node, room, heard(node)));
  const replicas = String(1 + nodes.honest.length);
  const deployed = await runCli([
    "model",
    "deploy",
    "mlp-classifier@1",
    "--head",
    head.address,
    "--database-url",
    databaseUrl,
    "--min",
    replicas,
    "--max",
    replicas,
  ]);
  if (deployed.code !== 0) {
    for (const child of children.reverse()) await child.stop();
    throw new Error(`model deploy failed: ${deployed.stderr}`);
  }
  return { headAddress: head.address, children };
}
