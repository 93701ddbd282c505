import express, { type Router } from "express";
import { ApiError, badInput } from "../errors.js";
import type { Services } from "../graphql/context.js";
import { admittedOf } from "../protection/admission.js";
import { findUnsafeString } from "../protection/safe-strings.js";
import { startChatCompletion } from "./chat-completion.js";
import { sendOpenAiError } from "./openai-errors.js";
import { openAiModel, openAiModels } from "./openai-models.js";
import { taskFileRoutes } from "./task-file-routes.js";

/**
 * The OpenAI-compatible surface, for clients written against OpenAI's API:
 *   GET  /v1/models            every model, its latest version (openai-models.ts)
 *   GET  /v1/models/{id}       one of them by name; 404 when there is none
 *   POST /v1/tasks, GET /v1/tasks/{id}  media tasks from a file upload (task-file-routes.ts)
 *   POST /v1/chat/completions  a chat completion; `stream: true` sends server-sent events
 * Authenticated by an API key (Authorization: Bearer), charged per token through the ledger.
 * Admitted (rate limit, credential) by the server before this router (protection/admission.ts);
 * its JSON bodies pass the same string rule as GraphQL's arguments (protection/safe-strings.ts).
 * The prompt is the last user message (the project's language model has no chat template).
 */
interface ChatBody {
  model?: unknown;
  messages?: { role?: unknown; content?: unknown }[];
  max_tokens?: unknown;
  max_completion_tokens?: unknown;
  temperature?: unknown;
  seed?: unknown;
  stream?: unknown;
}

export function openAiRoutes(services: Services, log: (m: string, e?: unknown) => void): Router {
  const router = express.Router();
  router.use("/v1", express.json({ limit: "1mb" }));

  const caller = async (_req: express.Request, res: express.Response) => {
    const resolved = admittedOf(res).resolved;
    if (!resolved.caller) throw new ApiError("UNAUTHENTICATED", resolved.authError ?? "send an API key");
    const { account, scopes } = resolved.caller;
    if (account.role !== "client" && account.role !== "admin")
      throw new ApiError("FORBIDDEN", "this needs the role client");
    if (account.role !== "admin" && !scopes.includes("tasks:write")) {
      throw new ApiError("FORBIDDEN", "this key lacks the scope tasks:write");
    }
    return account;
  };

  router.use(taskFileRoutes(services, caller, log));

  router.get("/v1/models", async (req, res) => {
    try {
      await caller(req, res);
      res.json({ object: "list", data: await openAiModels(services.orm.em.fork()) });
    } catch (err) {
      sendOpenAiError(res, err, log);
    }
  });

  router.get("/v1/models/:id", async (req, res) => {
    try {
      await caller(req, res);
      res.json(await openAiModel(services.orm.em.fork(), req.params.id));
    } catch (err) {
      sendOpenAiError(res, err, log);
    }
  });

  router.post("/v1/chat/completions", async (req, res) => {
    const abort = new AbortController();
    res.on("close", () => {
      if (!res.writableFinished) abort.abort();
    });
    try {
      const account = await caller(req, res);
      const unsafe = findUnsafeString(req.body, "body");
      if (unsafe) throw badInput(`${unsafe} holds a NUL character or an unpaired surrogate`);
      const body = (req.body ?? {}) as ChatBody;
      if (typeof body.model !== "string") throw badInput("model is required");
      const messages = Array.isArray(body.messages) ? body.messages : [];
      const last = [...messages].reverse().find((m) => typeof m === "object" && m?.role === "user");
      if (typeof last?.content !== "string" || last.content.length === 0)
        throw badInput("a user message is required");
      const maxTokens = body.max_completion_tokens ?? body.max_tokens;
      const completion = await startChatCompletion(
        services,
        account,
        {
          model: body.model,
          prompt: last.content,
          maxTokens: maxTokens === undefined ? undefined : Number(maxTokens),
          temperature: typeof body.temperature === "number" ? body.temperature : undefined,
          seed: typeof body.seed === "number" ? body.seed : undefined,
        },
        abort.signal,
      );
      const id = `chatcmpl-${completion.taskId}`;
      const created = Math.floor(Date.now() / 1000);
      if (body.stream === true) {
        res.writeHead(200, {
          "content-type": "text/event-stream",
          "cache-control": "no-cache",
          connection: "keep-alive",
        });
        const chunk = (delta: Record<string, unknown>, finish: string | null) =>
          `data: ${JSON.stringify({
            id,
            object: "chat.completion.chunk",
            created,
            model: completion.model,
            choices: [{ index: 0, delta, finish_reason: finish }],
          })}\n\n`;
        res.write(chunk({ role: "assistant", content: "" }, null));
        for await (const token of completion.tokens) res.write(chunk({ content: token }, null));
        const ended = completion.outcome();
        // A failure after the stream began: an error event, as OpenAI's client libraries read one
        // (they raise it), then the stream's end; the tokens sent are what was charged.
        if (ended.failure !== undefined) {
          const error = { message: ended.failure, type: "server_error", code: null, param: null };
          res.write(`data: ${JSON.stringify({ error })}\n\n`);
        } else res.write(chunk({}, ended.finishReason));
        res.end("data: [DONE]\n\n");
        return;
      }
      let content = "";
      for await (const token of completion.tokens) content += token;
      const { outputTokens, finishReason } = completion.outcome();
      res.json({
        id,
        object: "chat.completion",
        created,
        model: completion.model,
        choices: [{ index: 0, message: { role: "assistant", content }, finish_reason: finishReason }],
        usage: {
          prompt_tokens: [...last.content].length,
          completion_tokens: outputTokens,
          total_tokens: [...last.content].length + outputTokens,
        },
      });
    } catch (err) {
      sendOpenAiError(res, err, log);
    }
  });
  return router;
}
