import type { DeploymentCallOptions } from "@neurogrid/cluster";
import type { ActorInfo } from "@neurogrid/schema";
import type { ModelDeployment } from "../tasks/model-deployments.js";

/**
 * A model's deployment as tasks see it: only the replicas `admit` takes are leased, called,
 * streamed from, or retried on (the cluster handle's `admit` option); a task that finds none
 * admitted waits for one as for no replica at all, within its deadline. Result verification's
 * runs (leaseWhere) are held to the same replicas. The onboarding (onboarding.ts) reaches the
 * other replicas through the deployment it wraps.
 */
export class GatedDeployment implements ModelDeployment {
  readonly #inner: ModelDeployment;
  readonly #admit: (replica: ActorInfo) => boolean;

  constructor(inner: ModelDeployment, admit: (replica: ActorInfo) => boolean) {
    this.#inner = inner;
    this.#admit = admit;
  }

  lease(opts: Parameters<ModelDeployment["lease"]>[0] = {}) {
    return this.#inner.lease({ ...opts, admit: this.#admit });
  }

  leaseWhere(accept: (replica: ActorInfo) => boolean | Promise<boolean>, opts?: { refresh?: boolean }) {
    return this.#inner.leaseWhere(async (r) => this.#admit(r) && (await accept(r)), opts);
  }

  call<T = unknown>(method: string, args: unknown, opts: DeploymentCallOptions = {}): Promise<T> {
    return this.#inner.call<T>(method, args, { ...opts, admit: this.#admit });
  }

  stream<T = unknown>(method: string, args: unknown, opts: DeploymentCallOptions = {}): AsyncGenerator<T> {
    return this.#inner.stream<T>(method, args, { ...opts, admit: this.#admit });
  }
}
