/**
 * Media tasks over plain HTTP, for clients that upload files rather than build GraphQL:
 *   POST /v1/tasks      multipart/form-data: `model` (an ocr or vad model, e.g. "ocr",
 *                       "silero-vad"), `file` (the image or the audio), optional `version` and,
 *                       for audio, `format` (pcm_s16le); submitted exactly as submitTask with
 *                       { image } or { audio, format } (task-input.ts: the same header checks,
 *                       the same escrow) -> 200 the task object
 *   GET  /v1/tasks/{id} the task object: { id, object: "task", model, version, kind, status,
 *                       error, max_price, cost, ocr, vad } (ocr/vad: the typed result, null until
 *                       completed); someone else's task is 404; needs the scope tasks:read
 * Errors in OpenAI's shape (openai-errors.ts): a bad file is 400 invalid_request_error with
 * `param` (image, audio), nothing held. The multipart body is parsed by the runtime's own
 * fetch Request (undici's form-data parser), at most MAX_REQUEST_BYTES.
 */
import { taskKindOf } from "@neurogrid/schema";
import express, { type Router } from "express";
import { type Account, type Model, Task } from "../db/entities/index.js";
import { ApiError, badInput, notFound } from "../errors.js";
import type { Services } from "../graphql/context.js";
import { isUuid } from "../graphql/ids.js";
import { toTaskType } from "../graphql/task.type.js";
import { admittedOf } from "../protection/admission.js";
import { MAX_REQUEST_BYTES } from "../server/http-errors.js";
import { modelById, modelByName } from "../tasks/model-cache.js";
import { submitTask } from "../tasks/submit-task.js";
import { sendOpenAiError } from "./openai-errors.js";

type Caller = (req: express.Request, res: express.Response) => Promise<Account>;

export function taskFileRoutes(
  services: Services,
  caller: Caller,
  log: (m: string, e?: unknown) => void,
): Router {
  const router = express.Router();
  const multipart = express.raw({ type: "multipart/form-data", limit: MAX_REQUEST_BYTES });

  router.post("/v1/tasks", multipart, async (req, res) => {
    try {
      const account = await caller(req, res);
      const form = await formOf(req);
      const model = field(form, "model");
      const version = optionalField(form, "version");
      const em = services.orm.em.fork();
      const found = await modelByName(em, model, version, false);
      if (!found) throw notFound(`model ${model}`);
      const file = form.get("file");
      if (!(file instanceof Blob))
        throw badInput("send the image or audio as the file part `file`", { param: "file" });
      const bytes = Buffer.from(await file.arrayBuffer()).toString("base64");
      const kind = taskKindOf(found.manifest);
      const format = optionalField(form, "format");
      let input: Record<string, unknown>;
      if (kind === "ocr") input = { image: bytes };
      else if (kind === "vad") input = format ? { audio: bytes, format } : { audio: bytes };
      else
        throw badInput(`model ${model} takes no file (its tasks are ${kind}): use GraphQL`, {
          param: "model",
        });
      const task = await submitTask(em, services, account.id, { model, version, input });
      res.json(taskObject(task, found));
    } catch (err) {
      sendOpenAiError(res, err, log);
    }
  });

  router.get("/v1/tasks/:id", async (req, res) => {
    try {
      const account = reader(res);
      const em = services.orm.em.fork();
      const task = isUuid(req.params.id) ? await em.findOne(Task, req.params.id) : null;
      if (!task || (account.role !== "admin" && task.account.id !== account.id))
        throw notFound(`task ${req.params.id}`);
      const model = await modelById(em, task.model.id);
      if (!model) throw notFound(`the model of task ${task.id}`);
      res.json(taskObject(task, model));
    } catch (err) {
      sendOpenAiError(res, err, log);
    }
  });
  return router;
}

/** The caller of a read: an account with the scope tasks:read (an admin, any). */
function reader(res: express.Response): Account {
  const resolved = admittedOf(res).resolved;
  if (!resolved.caller) throw new ApiError("UNAUTHENTICATED", resolved.authError ?? "send an API key");
  const { account, scopes } = resolved.caller;
  if (account.role !== "admin" && !scopes.includes("tasks:read"))
    throw new ApiError("FORBIDDEN", "this key lacks the scope tasks:read");
  return account;
}

async function formOf(req: express.Request): Promise<FormData> {
  const type = req.headers["content-type"] ?? "";
  if (!type.startsWith("multipart/form-data") || !Buffer.isBuffer(req.body))
    throw badInput("send multipart/form-data with the parts model and file");
  try {
    return await new Request("http://localhost/", {
      method: "POST",
      headers: { "content-type": type },
      body: req.body,
    }).formData();
  } catch {
    throw badInput("the multipart body cannot be parsed");
  }
}

function optionalField(form: FormData, name: string): string | undefined {
  const value = form.get(name);
  if (value === null) return undefined;
  if (typeof value !== "string") throw badInput(`${name} must be a text part`, { param: name });
  return value;
}

function field(form: FormData, name: string): string {
  const value = optionalField(form, name);
  if (!value) throw new ApiError("BAD_USER_INPUT", `the part ${name} is required`, { param: name });
  return value;
}

function taskObject(task: Task, model: Model) {
  const t = toTaskType(task, model);
  return {
    id: t.id,
    object: "task",
    model: t.model,
    version: t.modelVersion,
    kind: taskKindOf(model.manifest),
    status: t.status,
    error: t.error ?? null,
    max_price: String(t.maxPrice),
    cost: t.cost ? String(t.cost.total) : null,
    ocr: t.ocr ?? null,
    vad: t.vad ?? null,
  };
}
