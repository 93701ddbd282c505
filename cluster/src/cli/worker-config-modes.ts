/**
 * Two one-shot modes of `neurogrid worker --config FILE` (worker-query.ts), each ending with one
 * line and exit status 0 or 1:
 *
 *   --test-config  the config is valid (else the parse error, exit 2 like any bad config), the
 *                  head answers at its address, and it accepts this node's token and credentials
 *                  (a check-only registration: nothing is registered, a running worker of the
 *                  same node is not disturbed)
 *   --stop         the worker started from this config (its data_dir's pid file) gets SIGTERM, a
 *                  graceful stop, and is waited for
 */
import { memberAuth } from "../auth/cluster-auth.js";
import { type Env, tlsFilesOf } from "../config.js";
import { parseWorkerCheckConfig, parseWorkerConfig } from "../config-worker.js";
import { ClusterError } from "../errors.js";
import { unaryCall } from "../grpc/call.js";
import { ClientPool } from "../grpc/client-pool.js";
import { clusterServices } from "../grpc/proto.js";
import { fromServiceError } from "../grpc/status.js";
import { loadTls } from "../grpc/tls.js";
import { clusterSecretOf } from "../worker/worker.js";
import { stopRecordedWorker } from "./worker-pid-file.js";

/** How long the head has to answer the check. */
const TEST_TIMEOUT_MS = 5_000;
/** Past the worker's own stop grace periods, how long --stop waits before it gives up. */
const STOP_MARGIN_MS = 5_000;

export interface ModeResult {
  code: 0 | 1;
  line: string;
}

export async function testWorkerConfig(argv: readonly string[], env: Env): Promise<ModeResult> {
  const config = parseWorkerConfig(argv, env);
  const files = tlsFilesOf(config);
  const tls = files === undefined ? undefined : loadTls(files);
  const auth = memberAuth(tls, clusterSecretOf(config, tls), { role: "worker", nodeId: config.nodeId });
  const pool = new ClientPool({}, tls, auth.token);
  try {
    const request = {
      nodeId: config.nodeId,
      address: "",
      resources: null,
      labels: {},
      nodeToken: config.nodeToken ?? "",
      actorIds: [],
      checkOnly: true,
    };
    await unaryCall(pool.get(config.headAddress), clusterServices().head.RegisterNode, request, {
      timeoutMs: TEST_TIMEOUT_MS,
    });
    return {
      code: 0,
      line: `config ok: the head at ${config.headAddress} answers and accepts node ${config.nodeId}${
        tls === undefined ? "" : " over TLS"
      }`,
    };
  } catch (err) {
    const error = err instanceof ClusterError ? err : fromServiceError(err);
    const what =
      error.code === "UNAVAILABLE" || error.code === "DEADLINE_EXCEEDED"
        ? `the head at ${config.headAddress} does not answer`
        : `the head at ${config.headAddress} refuses node ${config.nodeId}`;
    return { code: 1, line: `config not ok: ${what}: ${error.message}` };
  } finally {
    pool.closeAll();
  }
}

export async function stopConfiguredWorker(argv: readonly string[], env: Env): Promise<ModeResult> {
  const config = parseWorkerCheckConfig(argv, env);
  if (config.dataDir === undefined) {
    throw new ClusterError(
      "INVALID_ARGUMENT",
      "--stop needs the worker's data_dir (in its --config, or --data-dir)",
    );
  }
  const result = await stopRecordedWorker(
    config.dataDir,
    config.stopGraceMs + config.killGraceMs + STOP_MARGIN_MS,
  );
  if (result.stopped) return { code: 0, line: `worker ${result.nodeId} (pid ${result.pid}) stopped` };
  if (result.reason === "not-running")
    return { code: 1, line: `no worker is running from ${config.dataDir}` };
  return {
    code: 1,
    line: `worker ${result.nodeId} (pid ${result.pid}) got SIGTERM but has not exited yet`,
  };
}
