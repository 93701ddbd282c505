/**
 * `neurogrid worker --status [HOST:PORT]`: asks a running worker (Worker.GetStatus) for its node
 * id, its link to the head, its actor processes and its GPUs with their latest telemetry.
 */
import type { NodeResources, NodeTelemetry } from "@neurogrid/schema";
import { unaryCall } from "../grpc/call.js";
import { ClientPool } from "../grpc/client-pool.js";
import { nodeResourcesFromWire } from "../grpc/convert.js";
import { clusterServices } from "../grpc/proto.js";
import { fromServiceError } from "../grpc/status.js";
import { telemetryFromWire } from "../grpc/telemetry-convert.js";
import type { TlsMaterial } from "../grpc/tls.js";

export interface WorkerStatus {
  nodeId: string;
  headAddress: string;
  /** registering, connected, reconnecting or stopped. */
  headState: string;
  /** Worker clock, ms since the epoch, of the head's last heartbeat reply (0: none yet). */
  lastHeadReplyMs: number;
  actors: { actorId: string; pid: number; address: string }[];
  resources: NodeResources;
  telemetry?: NodeTelemetry;
  telemetrySource: string;
  /** host:port of its /metrics ("" when off). */
  metricsAddress: string;
  startedAtMs: number;
}

export interface WorkerStatusOptions {
  /** Mutual TLS with the worker (a certificate from the cluster CA); plain text when absent. */
  tls?: TlsMaterial | undefined;
  /** The loopback credential token the query carries (an observer's). */
  credential?: string | undefined;
  timeoutMs?: number;
}

export async function workerStatus(
  address: string,
  options: WorkerStatusOptions = {},
): Promise<WorkerStatus> {
  const pool = new ClientPool({}, options.tls, options.credential);
  try {
    const reply = await unaryCall(
      pool.get(address),
      clusterServices().worker.GetStatus,
      {},
      {
        timeoutMs: options.timeoutMs ?? 10_000,
      },
    );
    const telemetry = telemetryFromWire(reply.telemetry);
    return {
      nodeId: reply.nodeId,
      headAddress: reply.headAddress,
      headState: reply.headState,
      lastHeadReplyMs: Number(reply.lastHeadReplyMs),
      actors: reply.actors.map((a) => ({ actorId: a.actorId, pid: a.pid, address: a.address })),
      resources: nodeResourcesFromWire(reply.resources),
      ...(telemetry === undefined ? {} : { telemetry }),
      telemetrySource: reply.telemetrySource,
      metricsAddress: reply.metricsAddress,
      startedAtMs: Number(reply.startedAtMs),
    };
  } catch (err) {
    throw fromServiceError(err);
  } finally {
    pool.closeAll();
  }
}

const metric = (value: number | undefined, unit: string) => (value === undefined ? "n/a" : `${value}${unit}`);

export function formatWorkerStatus(status: WorkerStatus, now = Date.now()): string {
  const ago =
    status.lastHeadReplyMs > 0 ? `, last heartbeat reply ${now - status.lastHeadReplyMs} ms ago` : "";
  const lines = [
    `node ${status.nodeId}`,
    `  head       ${status.headAddress} (${status.headState}${ago})`,
    `  resources  cpus=${status.resources.cpus} memoryMb=${status.resources.memoryMb} gpus=${status.resources.gpus.length}`,
    `  metrics    ${status.metricsAddress === "" ? "off" : `http://${status.metricsAddress}/metrics`}`,
    `  actors     ${status.actors.length}`,
    ...status.actors.map((a) => `    ${a.actorId} pid=${a.pid} ${a.address || "(starting)"}`),
    `  telemetry  ${status.telemetry?.status ?? "none yet"} (${status.telemetrySource})`,
    ...(status.telemetry?.gpus ?? []).map(
      (g) =>
        `    GPU ${g.index} ${g.name} ${g.uuid}: ${metric(g.temperatureC, " °C")}, util ${metric(g.utilizationPct, "%")}, ` +
        `mem ${metric(g.memoryUsedMb, "")}/${metric(g.memoryTotalMb, " MiB")}, ` +
        `power ${metric(g.powerDrawW, "")}/${metric(g.powerLimitW, " W")}, ` +
        `clocks ${metric(g.smClockMhz, "")}/${metric(g.memClockMhz, " MHz")}`,
    ),
  ];
  return `${lines.join("\n")}\n`;
}
