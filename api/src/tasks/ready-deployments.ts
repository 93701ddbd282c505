import type { MikroORM } from "@mikro-orm/postgresql";
import type { ModelManifest, TensorSpec } from "@neurogrid/schema";
import { modelById } from "./model-cache.js";
import type { ModelDeployment } from "./model-deployments.js";

/** Where a model's deployment handle comes from (model-deployments.ts ModelDeployments). */
export interface ModelDeploymentSource {
  handle(manifest: ModelManifest): Promise<ModelDeployment>;
}

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

  constructor(orm: MikroORM, source: ModelDeploymentSource) {
    this.#orm = orm;
    this.#source = source;
  }

  /** The model's deployment if this process has it already. */
  known(modelId: string | undefined): ModelDeployment | undefined {
    return modelId === undefined ? undefined : this.#ready.get(modelId);
  }

  /** The model's declared outputs (known once its deployment is: forModel). */
  outputsOf(modelId: string): readonly TensorSpec[] | undefined {
    return this.#manifests.get(modelId)?.outputs;
  }

  /** The model's manifest (known once its deployment is: forModel). */
  manifestOf(modelId: string): ModelManifest | undefined {
    return this.#manifests.get(modelId);
  }

  async forModel(modelId: string): Promise<ModelDeployment> {
    const known = this.#ready.get(modelId);
    if (known) return known;
    const model = await modelById(this.#orm.em.fork(), modelId);
    if (!model) throw new UnknownModelError(`no model ${modelId}`);
    const deployment = await this.#source.handle(model.manifest);
    this.#manifests.set(modelId, model.manifest);
    this.#ready.set(modelId, deployment);
    return deployment;
  }
}
