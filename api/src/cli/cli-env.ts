import { z } from "zod";
import type { ApiConfig } from "../config.js";
import { type PayoutsConfig, payoutsConfigFrom } from "../payouts/payouts-config.js";
import { type ApiFlags, apiConfigFrom } from "./api-options.js";

/**
 * What the CLI's commands take from the environment, parsed once by main.ts and passed to the
 * command modules; each value is its flag's fallback (the flag wins). The api's own settings
 * (`neurogrid api`, `dispatcher`, `up`, `payouts reconcile`) are parsed by `apiConfig`, from
 * the same environment, when a command needs them (they are required only there).
 */
const optional = z
  .string()
  .optional()
  .transform((v) => (v === "" ? undefined : v));

const cliEnvSchema = z.object({
  /** DATABASE_URL */
  databaseUrl: optional,
  /** NEUROGRID_HEAD_ADDRESS */
  headAddress: optional,
  /** NEUROGRID_TLS_CA, NEUROGRID_TLS_CERT, NEUROGRID_TLS_KEY: a driver's certificate (cluster-access.ts) */
  clusterTlsCa: optional,
  clusterTlsCert: optional,
  clusterTlsKey: optional,
  /** NEUROGRID_CLUSTER_CREDENTIAL: a driver's loopback credential (cluster-access.ts) */
  clusterCredential: optional,
  /** NEUROGRID_DATA_DIR (`up`) */
  dataDir: optional,
  /** NEUROGRID_API_PORT (`up`) */
  apiPort: optional,
  /** NEUROGRID_MODEL_CACHE_DIR */
  modelCacheDir: optional,
  /** NEUROGRID_PUBLIC_URL */
  publicUrl: optional,
  /** NEUROGRID_API_URL: the api's GraphQL URL the client commands talk to (`node register`, `submit`) */
  apiUrl: optional,
  /** NEUROGRID_API_KEY: the API key for those commands (a provider's, a client's) */
  apiKey: optional,
  /** NEUROGRID_JWT_SECRET */
  jwtSecret: optional,
  /** SOLANA_RPC_URL */
  solanaRpcUrl: optional,
  /** NEURO_MINT */
  neuroMint: optional,
  /** NEUROGRID_TREASURY_KEYPAIR */
  treasuryKeyPath: optional,
  /** TERM: "dumb" turns the animated progress line off (progress.ts). */
  term: optional,
});

export type CliEnv = z.infer<typeof cliEnvSchema>;

/** The environment as the CLI's commands see it, and the api configuration parsed from it. */
export interface CliContext {
  env: CliEnv;
  /** The api configuration from these flags over the environment (api-options.ts). */
  apiConfig(flags: ApiFlags, defaults?: Partial<ApiConfig>): ApiConfig;
  /** The payouts process's configuration from the environment (payouts/payouts-config.ts). */
  payoutsConfig(): PayoutsConfig;
}

export function cliContextOf(env: NodeJS.ProcessEnv): CliContext {
  const parsed = cliEnvSchema.parse({
    databaseUrl: env.DATABASE_URL,
    headAddress: env.NEUROGRID_HEAD_ADDRESS,
    clusterTlsCa: env.NEUROGRID_TLS_CA,
    clusterTlsCert: env.NEUROGRID_TLS_CERT,
    clusterTlsKey: env.NEUROGRID_TLS_KEY,
    clusterCredential: env.NEUROGRID_CLUSTER_CREDENTIAL,
    dataDir: env.NEUROGRID_DATA_DIR,
    apiPort: env.NEUROGRID_API_PORT,
    modelCacheDir: env.NEUROGRID_MODEL_CACHE_DIR,
    publicUrl: env.NEUROGRID_PUBLIC_URL,
    apiUrl: env.NEUROGRID_API_URL,
    apiKey: env.NEUROGRID_API_KEY,
    jwtSecret: env.NEUROGRID_JWT_SECRET,
    solanaRpcUrl: env.SOLANA_RPC_URL,
    neuroMint: env.NEURO_MINT,
    treasuryKeyPath: env.NEUROGRID_TREASURY_KEYPAIR,
    term: env.TERM,
  });
  return {
    env: parsed,
    apiConfig: (flags, defaults = {}) => apiConfigFrom(flags, env, defaults),
    payoutsConfig: () => payoutsConfigFrom(env),
  };
}

/** A required value: the flag's, else the environment's, else an error naming both. */
export function required(value: string | undefined, what: string): string {
  if (!value) throw new Error(`set ${what}`);
  return value;
}
