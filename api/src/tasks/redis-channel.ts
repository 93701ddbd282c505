import { Redis } from "ioredis";

/**
 * One Redis pub/sub channel of JSON messages: publish from any process, subscribe in any
 * process. `subscribe` resolves once Redis acknowledged the SUBSCRIBE (nothing published
 * after it resolves is missed) and returns the function that stops listening.
 */
export class RedisChannel<T> {
  private readonly pub: Redis;

  constructor(
    private readonly redisUrl: string,
    private readonly name: string,
  ) {
    this.pub = new Redis(redisUrl);
    this.pub.on("error", () => {});
  }

  async publish(message: T): Promise<void> {
    await this.pub.publish(this.name, JSON.stringify(message));
  }

  async subscribe(onMessage: (message: T) => void): Promise<() => void> {
    const sub = new Redis(this.redisUrl);
    sub.on("error", () => {});
    sub.on("message", (channel: string, text: string) => {
      if (channel === this.name) onMessage(JSON.parse(text) as T);
    });
    await sub.subscribe(this.name);
    return () => sub.disconnect();
  }

  async close(): Promise<void> {
    await this.pub.quit().catch(() => {});
  }
}
