/**
 * `neurogrid node register --name NAME --config FILE`: a provider registers a machine through the
 * api (the `registerNode` mutation, with the provider's API key), and the node's id and token go
 * where the worker reads them: the worker config file (cluster's config-worker-file.ts), created
 * or updated with mode 0600 (it holds the token). The token is printed once, as the mutation
 * returns it once; the head's address and the api's URL (where registered models come from) are
 * written too when given, so that `neurogrid worker --config FILE` is all that is left to run.
 */
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, extname, join, resolve } from "node:path";
import { Document, parseDocument } from "yaml";
import { graphqlRequest } from "./graphql-request.js";

export interface NodeRegisterOptions {
  name: string;
  /** The api's base URL (its /graphql answers the mutation; its /models serves artifacts). */
  apiUrl: string;
  /** The provider's API key (or access token). */
  apiKey: string;
  /** The worker config file to create or update. */
  config: string;
  headAddress?: string | undefined;
  /** The worker's data folder; by default a folder beside the config named after the node. */
  dataDir?: string | undefined;
}

export interface RegisteredNode {
  nodeId: string;
  nodeToken: string;
  configFile: string;
}

const REGISTER_NODE = `mutation ($input: RegisterNodeInput!) {
  registerNode(input: $input) { nodeToken node { id } }
}`;

export async function registerNodeWithConfig(options: NodeRegisterOptions): Promise<RegisteredNode> {
  const apiUrl = options.apiUrl.replace(/\/+$/, "").replace(/\/graphql$/, "");
  const response = await graphqlRequest<{ registerNode: { nodeToken: string; node: { id: string } } }>(
    `${apiUrl}/graphql`,
    options.apiKey,
    REGISTER_NODE,
    { input: { name: options.name } },
  );
  const registered = response.data?.registerNode;
  if (registered === undefined || registered === null) {
    const error = response.errors?.[0];
    throw new Error(
      `the api refused the node: ${error?.message ?? "no answer"} (${error?.extensions?.code ?? "?"})`,
    );
  }
  const configFile = resolve(options.config);
  const nodeId = registered.node.id;
  writeWorkerConfig(configFile, {
    node_id: nodeId,
    node_token: registered.nodeToken,
    api_url: apiUrl,
    ...(options.headAddress === undefined ? {} : { head_address: options.headAddress }),
    ...(options.dataDir === undefined ? {} : { data_dir: resolve(options.dataDir) }),
  });
  return { nodeId, nodeToken: registered.nodeToken, configFile };
}

/** Sets these keys in the config file (YAML keeps its comments; .json stays JSON), mode 0600. */
function writeWorkerConfig(file: string, values: Record<string, string>): void {
  const exists = existsSync(file);
  mkdirSync(dirname(file), { recursive: true, mode: 0o700 });
  let text: string;
  if (extname(file).toLowerCase() === ".json") {
    const current = exists ? (JSON.parse(readFileSync(file, "utf8")) as Record<string, unknown>) : {};
    const dataDir = current.data_dir ?? join(dirname(file), `${values.node_id}-data`);
    text = `${JSON.stringify({ data_dir: dataDir, ...current, ...values }, null, 2)}\n`;
  } else {
    const doc = exists ? parseDocument(readFileSync(file, "utf8")) : new Document({});
    if (doc.errors.length > 0) throw new Error(`${file} is not valid YAML: ${doc.errors[0]?.message}`);
    if (!doc.has("data_dir")) doc.set("data_dir", join(dirname(file), `${values.node_id}-data`));
    for (const [key, value] of Object.entries(values)) doc.set(key, value);
    text = doc.toString();
  }
  writeFileSync(file, text, { mode: 0o600 });
  chmodSync(file, 0o600);
}
