import type { DeploymentCallOptions } from "@neurogrid/cluster";
import { type FakeDeploymentDispatcher, fakeDeploymentDispatcher } from "./fake-deployment-dispatcher.js";
import { type InProcessApi, startInProcessApi } from "./in-process-api.js";
import { addProviderNodes } from "./provider-nodes.js";
import { uniquePrefix } from "./test-database.js";

/**
 * Test support for result verification through the public API: an in-process api with three
 * providers, each with a node (node-a runs the tasks; node-b and node-c are the other providers'
 * replicas that checks and referees lease) serving mlp-classifier through a fake deployment
 * whose answer the test gives per node (`outputsOn`, awaited on each call); its dispatcher
 * started, and a client funded through the faucet. Spot checks are drawn at `sampleRate` with
 * `random`.
 */
export interface ThreeProviderApi {
  t: InProcessApi;
  clientKey: string;
  /** Each node's provider's API key. */
  providerKeys: Map<string, string>;
  stop(): Promise<void>;
}

export async function threeProviderApi(
  label: string,
  opts: { sampleRate: number; random: () => number; outputsOn: (nodeId: string) => Promise<unknown> },
): Promise<ThreeProviderApi> {
  const prefix = uniquePrefix(label);
  const t = await startInProcessApi({ redisPrefix: prefix });
  const providerKeys = await addProviderNodes(t, ["node-a", "node-b", "node-c"]);
  const fake: FakeDeploymentDispatcher = fakeDeploymentDispatcher(t.orm, {
    label,
    nodeId: "node-a",
    otherNodes: ["node-b", "node-c"],
    taskTimeoutMs: 10_000,
    prefix,
    verificationSampleRate: opts.sampleRate,
    random: opts.random,
    call: async <T>(_method: string, _args: unknown, call: DeploymentCallOptions = {}) => {
      const replica = call.lease?.replica ?? fake.replica;
      await call.onReplica?.(replica);
      const outputs = await opts.outputsOn(replica.nodeId);
      return { outputs, executionProvider: "cpu", inferenceMs: 1 } as T;
    },
  });
  await fake.dispatcher.start();
  const clientKey = await t.fundedClient("client");
  return {
    t,
    clientKey,
    providerKeys,
    async stop() {
      await fake.close();
      await t.stop();
    },
  };
}
