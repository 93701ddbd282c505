/**
 * The draw of a task whose client asked for a check (`verify`): drawn whatever the sample rate,
 * but only while a replica of another provider serves its model (a check on the same provider's
 * node would prove nothing; the task is then completed unchecked and charged once). A task that
 * did not ask, with random checks off, is not drawn and costs its capture no look-up at all.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { mlpClassifierManifest } from "@neurogrid/cluster/models";
import type { ActorInfo } from "@neurogrid/schema";
import { type CompletedTask, Verifier } from "./verifier.js";

/** A verifier over replicas on `replicaNodes` (node-x belongs to provider-x), sample rate 0. */
function verifierOver(replicaNodes: string[]): { verifier: Verifier; lookups: string[] } {
  const lookups: string[] = [];
  const deployment = {
    leaseWhere: async (accept: (replica: ActorInfo) => Promise<boolean>) => {
      for (const nodeId of replicaNodes) {
        if (await accept({ nodeId } as ActorInfo)) return { release: () => {} };
      }
      return undefined;
    },
  };
  const verifier = new Verifier({
    store: {} as never,
    deployments: {
      forModel: async () => deployment as never,
      manifestOf: () => mlpClassifierManifest,
    },
    providerOf: async (nodeId) => {
      lookups.push(nodeId);
      return nodeId.replace("node", "provider");
    },
    sampleRate: 0,
    windowMs: 600_000,
    random: () => 0,
    callTimeoutMs: 1000,
  });
  return { verifier, lookups };
}

const task = (verify: boolean): CompletedTask => ({
  id: "t",
  modelId: "m",
  generative: false,
  input: {},
  result: {},
  nodeId: "node-a",
  verify,
});

test("a verify task is drawn with random checks off, while another provider's replica serves its model", async () => {
  assert.equal(await verifierOver(["node-a", "node-b"]).verifier.draw(task(true)), true);
});

test("a verify task no other provider can check is not drawn", async () => {
  assert.equal(await verifierOver(["node-a"]).verifier.draw(task(true)), false);
});

test("with random checks off, a task that did not ask is not drawn, and nothing is looked up", async () => {
  const { verifier, lookups } = verifierOver(["node-a", "node-b"]);
  assert.equal(await verifier.draw(task(false)), false);
  assert.deepEqual(lookups, []);
});
