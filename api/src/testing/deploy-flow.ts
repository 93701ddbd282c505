import { execFile } from "node:child_process";
import { randomBytes } from "node:crypto";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { promisify } from "node:util";
import { buildMlpClassifierOnnx, mlpClassifierManifest, sha256Hex } from "@neurogrid/cluster/models";
import { graphqlRequest } from "./graphql-clients.js";
import { CLI } from "./local-cluster.js";
import { REPO_ROOT } from "./neurogrid-image.js";

/**
 * What a person does against a deployed NeuroGrid, for the deploy-file tests: accounts over
 * GraphQL, a node registered with deploy/register-node.sh, a model registry entry, and a paid
 * task followed to its end.
 */
const run = promisify(execFile);
const REGISTER = `mutation($input: RegisterInput!) { register(input: $input) { accessToken } }`;
const FAUCET = `mutation { faucet(amount: "10") { available } }`;
const BALANCE = `query { me { balance { available held earnings } } }`;
const SUBMIT = `mutation($input: SubmitTaskInput!) { submitTask(input: $input) { id } }`;
const TASK = `query($id: ID!) { task(id: $id) {
  status error nodeId executionProvider result cost { total providerEarning } } }`;
/** How long a deployed task may take, cold actor start included. */
const TASK_DEADLINE_MS = 120_000;
const POLL_MS = 200;

export interface Balance {
  available: string;
  held: string;
  earnings: string;
}

export interface FinishedTask {
  status: string;
  error: string | null;
  nodeId: string | null;
  executionProvider: string | null;
  result: { probabilities?: number[][] } | null;
  cost: { total: string; providerEarning: string } | null;
}

export async function signUp(url: string, role: "client" | "provider"): Promise<string> {
  const name = `${role}-${randomBytes(4).toString("hex")}`;
  const res = await graphqlRequest<{ register: { accessToken: string } }>(url, undefined, REGISTER, {
    input: { name, password: "deploy-test-password", role },
  });
  const token = res.data?.register.accessToken;
  if (!token) throw new Error(`register failed: ${JSON.stringify(res.errors)}`);
  return token;
}

export async function faucet(url: string, token: string): Promise<void> {
  const res = await graphqlRequest(url, token, FAUCET);
  if (res.errors) throw new Error(`faucet failed: ${JSON.stringify(res.errors)}`);
}

export async function balanceOf(url: string, token: string): Promise<Balance> {
  const res = await graphqlRequest<{ me: { balance: Balance } }>(url, token, BALANCE);
  if (!res.data) throw new Error(`me failed: ${JSON.stringify(res.errors)}`);
  return res.data.me.balance;
}

/** deploy/register-node.sh, run as an operator runs it: the node id and token it prints. */
export async function registerNodeWithScript(
  url: string,
  providerToken: string,
  name: string,
  certsDir: string,
  hosts: string[],
): Promise<{ nodeId: string; nodeToken: string }> {
  const script = join(REPO_ROOT, "deploy", "register-node.sh");
  const { stdout } = await run(script, [url, providerToken, name, certsDir, ...hosts], {
    env: { PATH: process.env.PATH, NEUROGRID: `${process.execPath} ${CLI}` },
  });
  const nodeId = stdout.match(/^NODE_ID=(\S+)$/m)?.[1];
  const nodeToken = stdout.match(/^NODE_TOKEN=(\S+)$/m)?.[1];
  if (!nodeId || !nodeToken) throw new Error(`register-node.sh printed no NODE_ID/NODE_TOKEN:\n${stdout}`);
  return { nodeId, nodeToken };
}

/** A registered model's files (manifest and ONNX) written into `dir`. */
export function modelFiles(dir: string): { name: string; sha256: string; manifest: string; onnx: string } {
  const onnx = buildMlpClassifierOnnx();
  const sha256 = sha256Hex(onnx);
  const name = `deployed-mlp-${randomBytes(3).toString("hex")}`;
  const manifestFile = join(dir, "manifest.json");
  const onnxFile = join(dir, "model.onnx");
  writeFileSync(
    manifestFile,
    JSON.stringify({ ...mlpClassifierManifest, name, version: "1.0.0", description: "deploy test", sha256 }),
  );
  writeFileSync(onnxFile, onnx);
  return { name, sha256, manifest: manifestFile, onnx: onnxFile };
}

/** Submits one task on `model` and reads it until it is final. */
export async function paidTask(url: string, clientToken: string, model: string): Promise<FinishedTask> {
  const features = [Array.from({ length: 16 }, (_, i) => Math.sin(i + 1))];
  const sub = await graphqlRequest<{ submitTask: { id: string } }>(url, clientToken, SUBMIT, {
    input: { model, input: { features } },
  });
  const id = sub.data?.submitTask.id;
  if (!id) throw new Error(`submitTask refused: ${JSON.stringify(sub.errors)}`);
  for (const deadline = Date.now() + TASK_DEADLINE_MS; Date.now() < deadline; ) {
    const read = await graphqlRequest<{ task: FinishedTask }>(url, clientToken, TASK, { id });
    const task = read.data?.task;
    if (task && ["COMPLETED", "FAILED", "CANCELLED"].includes(task.status)) return task;
    await new Promise((r) => setTimeout(r, POLL_MS));
  }
  throw new Error(`task ${id} did not finish within ${TASK_DEADLINE_MS} ms`);
}
