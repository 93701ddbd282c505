import { Redis } from "ioredis";

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
  private readonly pub: Redis;

  constructor(
    private readonly redisUrl: string,
    private readonly prefix: string,
  ) {
    this.pub = new Redis(redisUrl);
    this.pub.on("error", () => {});
  }

  channel(providerId: string): string {
    return `${this.prefix}:payout-events:${providerId}`;
  }

  async publish(event: PayoutEvent): Promise<void> {
    await this.pub.publish(this.channel(event.providerId), JSON.stringify(event));
  }

  /** A dedicated subscriber for one stream; resolves once Redis acknowledged the SUBSCRIBE. */
  async subscribe(providerId: string, onEvent: (e: PayoutEvent) => void): Promise<() => void> {
    const sub = new Redis(this.redisUrl);
    sub.on("error", () => {});
    const channel = this.channel(providerId);
    sub.on("message", (ch: string, message: string) => {
      if (ch === channel) onEvent(JSON.parse(message) as PayoutEvent);
    });
    await sub.subscribe(channel);
    return () => sub.disconnect();
  }

  async close(): Promise<void> {
    await this.pub.quit().catch(() => {});
  }
}
