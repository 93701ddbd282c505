import { Redis } from "ioredis";

/**
 * Redis pub/sub of JSON messages: publish from any process, subscribe in any process.
 * `subscribe` resolves once Redis acknowledged the SUBSCRIBE (nothing published after it
 * resolves is missed) and returns the function that stops listening.
 */
export class RedisPubSub<T> {
  private readonly pub: Redis;

  constructor(private readonly redisUrl: string) {
    this.pub = new Redis(redisUrl);
    this.pub.on("error", () => {});
  }

  async publish(channel: string, message: T): Promise<void> {
    await this.pub.publish(channel, JSON.stringify(message));
  }

  async subscribe(channel: string, onMessage: (message: T) => void): Promise<() => void> {
    const sub = new Redis(this.redisUrl);
    sub.on("error", () => {});
    sub.on("message", (ch: string, text: string) => {
      if (ch === channel) onMessage(JSON.parse(text) as T);
    });
    await sub.subscribe(channel);
    return () => sub.disconnect();
  }

  async close(): Promise<void> {
    await this.pub.quit().catch(() => {});
  }
}
