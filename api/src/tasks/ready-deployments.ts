import type { MikroORM } from "@mikro-orm/postgresql";
import type { ModelManifest } from "@neurogrid/schema";
import { modelById } from "./model-cache.js";
import type { ModelDeployment } from "./model-deployments.js";

/** Where a model's deployment handle comes from (model-deployments.ts ModelDeployments). */
export interface ModelDeploymentSource {
  handle(manifest: ModelManifest): Promise<ModelDeployment>;
}

/**
 * What tasks see of a model's deployment: the onboarding gate (verification/onboarding.ts) lets
 * them reach only the replicas of nodes that answered the model's known-answer tasks right.
 */
export type DeploymentGate = (
  modelId: string,
  manifest: ModelManifest,
  deployment: ModelDeployment,
) => ModelDeployment;

/** A model the attempt names that is not stored: the attempt fails for good. */
export class UnknownModelError extends Error {}

/**
 * The deployments an attempt runner has at hand, by model id: a model's first task in a process
 * gets (or applies) its deployment; every later one finds it here at once.
 */
export class ReadyDeployments {
  readonly #ready = new Map<string, ModelDeployment>();
  readonly #manifests = new Map<string, ModelManifest>();
  readonly #orm: MikroORM;
  readonly #source: ModelDeploymentSource;
  readonly #gate: DeploymentGate | undefined;

  constructor(orm: MikroORM, source: ModelDeploymentSource, gate?: DeploymentGate) {
    this.#orm = orm;
    this.#source = source;
    this.#gate = gate;
  }

  /** The model's deployment if this process has it already. */
  known(modelId: string | undefined): ModelDeployment | undefined {
    return modelId === undefined ? undefined : this.#ready.get(modelId);
  }

  /** The model's manifest: its task kind and declared outputs (known once its deployment is). */
  manifestOf(modelId: string): ModelManifest | undefined {
    return this.#manifests.get(modelId);
  }

  async forModel(modelId: string): Promise<ModelDeployment> {
    const known = this.#ready.get(modelId);
    if (known) return known;
    const model = await modelById(this.#orm.em.fork(), modelId);
    if (!model) throw new UnknownModelError(`no model ${modelId}`);
    const handle = await this.#source.handle(model.manifest);
    const deployment = this.#gate ? this.#gate(modelId, model.manifest, handle) : handle;
    this.#manifests.set(modelId, model.manifest);
    this.#ready.set(modelId, deployment);
    return deployment;
  }
}
