import { randomUUID } from "node:crypto";
import type { ReplicaLease } from "@neurogrid/cluster";
import type { ActorInfo } from "@neurogrid/schema";
import { type Account, Model, Node } from "../db/entities/index.js";
import { ApiError, badInput, notFound } from "../errors.js";
import type { Services } from "../graphql/context.js";
import { clientAccounts } from "../ledger/accounts.js";
import { holdAndCreateTask } from "../ledger/escrow.js";
import { pricingOf } from "../pricing/pricing.js";
import type { ModelDeployment } from "../tasks/model-deployments.js";
import { advanceTask, completeTask, failTask } from "../tasks/settle.js";

/**
 * One chat completion on a streaming language model, paid through the same ledger as any task:
 *   hold price x max_tokens (escrow) and write the task    (one statement, ledger/escrow.ts)
 *   stream a replica's `generate` tokens to the caller      (the model's deployment: the
 *                                                            replica's own process, directly)
 *   capture tokens produced x price, release the rest       (COMPLETED; CANCELLED when the
 *                                                            caller went away mid-stream: it
 *                                                            pays for the tokens it was sent)
 */
export interface ChatRequest {
  model: string;
  prompt: string;
  maxTokens?: number | undefined;
  temperature?: number | undefined;
  seed?: number | undefined;
}

export interface ChatCompletion {
  taskId: string;
  model: string;
  /** Tokens as they come; the run settles when the iteration ends (or is abandoned). */
  tokens: AsyncIterable<string>;
  /** After the iteration: tokens produced and how it ended. */
  outcome(): { outputTokens: number; finishReason: string };
}

interface GenerateItem {
  index?: number;
  token?: string;
  done?: boolean;
  outputTokens?: number;
  finishReason?: string;
  executionProvider?: string;
}

export async function startChatCompletion(
  services: Services,
  account: Account,
  req: ChatRequest,
  signal: AbortSignal,
): Promise<ChatCompletion> {
  const em = services.orm.em.fork();
  const model = await em.findOne(Model, { name: req.model }, { orderBy: { createdAt: "desc" } });
  if (!model) throw notFound(`model ${req.model}`);
  const pricing = pricingOf(model.manifest);
  if (pricing.unit !== "output_token") throw badInput(`${req.model} is not a language model`);
  const maxTokens = req.maxTokens ?? Math.min(64, pricing.maxUnits);
  if (!Number.isInteger(maxTokens) || maxTokens < 1 || maxTokens > pricing.maxUnits) {
    throw badInput(`max_tokens must be between 1 and ${pricing.maxUnits}`);
  }
  const price = BigInt(pricing.price) * BigInt(maxTokens);
  const accounts = await clientAccounts(em, account.id);
  const taskId = randomUUID();
  const held = await holdAndCreateTask(em, {
    taskId,
    accountId: account.id,
    modelId: model.id,
    idempotencyKey: null,
    priority: 0,
    input: { prompt: req.prompt, maxTokens },
    price,
    pricing: { ...pricing, maxUnits: maxTokens },
    availableId: accounts.available,
    heldId: accounts.held,
    memo: `escrow for chat completion on ${model.name}@${model.version}`,
    now: new Date(),
  });
  if (!held.held) {
    throw new ApiError("INSUFFICIENT_FUNDS", `balance ${held.balance} is less than the escrow ${price}`);
  }
  let deployment: ModelDeployment;
  let lease: ReplicaLease | undefined;
  try {
    deployment = await services.deployments.handle(model.manifest);
    lease = await deployment.lease({ timeoutMs: services.config.taskTimeoutMs });
    const node = await em.findOne(Node, lease.replica.nodeId);
    if (!node) throw new ApiError("CONFLICT", `node ${lease.replica.nodeId} is not registered to a provider`);
    await advanceTask(em, taskId, "SCHEDULED", { attempts: 1 });
    await advanceTask(em, taskId, "RUNNING", {
      nodeId: lease.replica.nodeId,
      actorId: lease.replica.actorId,
    });
  } catch (err) {
    lease?.release();
    await failTask(em.fork(), taskId, err instanceof Error ? err.message : String(err));
    throw err;
  }
  let served: ActorInfo = lease.replica;
  const ref = {
    id: taskId,
    accountId: account.id,
    pricing: { ...pricing, maxUnits: maxTokens },
    maxPrice: price,
  };
  let produced = 0;
  let finishReason = "length";
  const text: string[] = [];
  const started = performance.now();
  let executionProvider = "unknown";
  const settle = async (completed: boolean) => {
    const node = await em.fork().findOne(Node, served.nodeId);
    if (!node) {
      await failTask(em.fork(), taskId, `node ${served.nodeId} is not registered to a provider`);
      return;
    }
    await completeTask(
      em.fork(),
      ref,
      {
        status: completed ? "COMPLETED" : "CANCELLED",
        result: { text: text.join(""), finishReason },
        usage: { completed, outputTokens: produced },
        executionProvider,
        inferenceMs: performance.now() - started,
        nodeId: served.nodeId,
        providerId: node.provider.id,
      },
      services.config.platformFeeBps,
    );
  };
  async function* tokens(): AsyncGenerator<string> {
    let completed = false;
    try {
      const stream = deployment.stream<GenerateItem>(
        "generate",
        { prompt: req.prompt, maxTokens, temperature: req.temperature ?? 0, seed: req.seed ?? 0 },
        {
          signal,
          lease,
          onReplica: (replica) => {
            served = replica;
          },
        },
      );
      for await (const item of stream) {
        if (item.done) {
          finishReason = item.finishReason ?? finishReason;
          executionProvider = item.executionProvider ?? executionProvider;
          completed = true;
          break;
        }
        if (item.token !== undefined) {
          produced++;
          text.push(item.token);
          yield item.token;
        }
      }
    } finally {
      await settle(completed);
    }
  }
  return {
    taskId,
    model: `${model.name}`,
    tokens: tokens(),
    outcome: () => ({ outputTokens: produced, finishReason }),
  };
}
