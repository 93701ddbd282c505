import { formatNeuro } from "@neurogrid/contracts";
import { graphqlRequest } from "./graphql-request.js";

/**
 * The demo task `up` runs through the public API, exactly as a client would: submitTask over
 * HTTP with the demo key, then task(id) until it is final.
 */
const SUBMIT = `mutation Submit($input: SubmitTaskInput!) {
  submitTask(input: $input) { id status maxPrice }
}`;
const READ = `query Task($id: ID!) {
  task(id: $id) { id status result error executionProvider nodeId latencyMs inferenceMs
    cost { total platformFee providerEarning } }
}`;

export interface DemoTaskOutcome {
  id: string;
  status: string;
  result: unknown;
  error?: string;
  executionProvider?: string;
  nodeId?: string;
  latencyMs: number;
  cost?: string;
}

interface TaskRead {
  id: string;
  status: string;
  result: unknown;
  error: string | null;
  executionProvider: string | null;
  nodeId: string | null;
  latencyMs: number | null;
  cost: { total: string; platformFee: string; providerEarning: string } | null;
}

function demoFeatures(): number[][] {
  return [Array.from({ length: 16 }, (_, i) => Math.round(Math.sin(i + 1) * 1000) / 1000)];
}

export async function runDemoTask(url: string, apiKey: string, timeoutMs = 60_000): Promise<DemoTaskOutcome> {
  const started = performance.now();
  const submitted = await graphqlRequest<{ submitTask: { id: string } }>(url, apiKey, SUBMIT, {
    input: { model: "mlp-classifier", input: { features: demoFeatures() } },
  });
  const id = submitted.data?.submitTask.id;
  if (!id) throw new Error(`demo task was refused: ${JSON.stringify(submitted.errors)}`);
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const read = await graphqlRequest<{ task: TaskRead }>(url, apiKey, READ, { id });
    const task = read.data?.task;
    if (task && ["COMPLETED", "FAILED", "CANCELLED"].includes(task.status)) {
      return {
        id,
        status: task.status,
        result: task.result,
        error: task.error ?? undefined,
        executionProvider: task.executionProvider ?? undefined,
        nodeId: task.nodeId ?? undefined,
        latencyMs: performance.now() - started,
        cost: task.cost ? `${formatNeuro(BigInt(task.cost.total))} NEURO` : undefined,
      };
    }
    await new Promise((r) => setTimeout(r, 20));
  }
  throw new Error(`demo task ${id} did not finish within ${timeoutMs} ms`);
}
