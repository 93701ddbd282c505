import type { RedisConnections } from "../infra/redis-connections.js";
import { RedisPubSub } from "../tasks/redis-channel.js";

/** payoutStatus events, through Redis so every api process delivers them (channel per provider). */
export interface PayoutEvent {
  payoutId: string;
  providerId: string;
  status: "PENDING" | "CONFIRMED" | "FAILED";
  amount: string;
  signature?: string;
  at: string;
}

export class PayoutEventBus {
  readonly #bus: RedisPubSub<PayoutEvent>;
  readonly #prefix: string;

  constructor(connections: RedisConnections) {
    this.#bus = new RedisPubSub(connections);
    this.#prefix = connections.prefix;
  }

  #channel(providerId: string): string {
    return `${this.#prefix}:payout-events:${providerId}`;
  }

  publish(event: PayoutEvent): Promise<void> {
    return this.#bus.publish(this.#channel(event.providerId), event);
  }

  /** One provider's events; resolves once Redis acknowledged the SUBSCRIBE. */
  subscribe(providerId: string, onEvent: (e: PayoutEvent) => void): Promise<() => void> {
    return this.#bus.subscribe(this.#channel(providerId), onEvent);
  }

  close(): Promise<void> {
    return this.#bus.close();
  }
}
