import type { RedisConnections } from "../infra/redis-connections.js";
import { RedisPubSub } from "../tasks/redis-channel.js";

/** depositStatus events, through Redis so every api process delivers them (channel per account). */
export interface DepositEvent {
  requestId: string;
  accountId: string;
  reference: string;
  status: "PENDING" | "SEEN" | "CREDITED" | "EXPIRED";
  amount: string;
  signature?: string | undefined;
  at: string;
}

export class DepositEventBus {
  readonly #bus: RedisPubSub<DepositEvent>;
  readonly #prefix: string;

  constructor(connections: RedisConnections) {
    this.#bus = new RedisPubSub(connections);
    this.#prefix = connections.prefix;
  }

  #channel(accountId: string): string {
    return `${this.#prefix}:deposit-events:${accountId}`;
  }

  publish(event: DepositEvent): Promise<void> {
    return this.#bus.publish(this.#channel(event.accountId), event);
  }

  /** One account's events; resolves once Redis acknowledged the SUBSCRIBE. */
  subscribe(accountId: string, onEvent: (e: DepositEvent) => void): Promise<() => void> {
    return this.#bus.subscribe(this.#channel(accountId), onEvent);
  }

  close(): Promise<void> {
    return this.#bus.close();
  }
}
