import type { Redis } from "ioredis";
import type { RedisConnections } from "../infra/redis-connections.js";

/**
 * Redis pub/sub of JSON messages: publish from any process, subscribe in any process.
 * `subscribe` resolves once Redis acknowledged the SUBSCRIBE (nothing published after it
 * resolves is missed) and returns the function that stops listening. Publishes go down the
 * process's command connection; each subscription has a connection of its own.
 */
export class RedisPubSub<T> {
  readonly #pub: Redis;
  readonly #subs = new Set<Redis>();
  readonly #connections: RedisConnections;

  constructor(connections: RedisConnections) {
    this.#connections = connections;
    this.#pub = connections.commands();
  }

  async publish(channel: string, message: T): Promise<void> {
    await this.#pub.publish(channel, JSON.stringify(message));
  }

  async subscribe(channel: string, onMessage: (message: T) => void): Promise<() => void> {
    const sub = this.#connections.subscriber();
    this.#subs.add(sub);
    sub.on("message", (ch: string, text: string) => {
      if (ch === channel) onMessage(JSON.parse(text) as T);
    });
    await sub.subscribe(channel);
    return () => {
      this.#subs.delete(sub);
      sub.disconnect();
    };
  }

  /** Ends the subscriptions still open (the command connection is the factory's). */
  async close(): Promise<void> {
    for (const sub of this.#subs) sub.disconnect();
    this.#subs.clear();
  }
}
