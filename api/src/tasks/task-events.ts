import type { TaskStatus } from "@neurogrid/schema";
import { Redis } from "ioredis";

/**
 * Task progress events travel through Redis pub/sub, so that every api process delivers every
 * event whichever process (api or dispatcher) produced it. One channel per task. `subscribe`
 * resolves only once Redis has acknowledged the SUBSCRIBE, so a subscriber that reads the
 * task's stored state afterwards misses nothing in between.
 */
export interface TaskProgressEvent {
  taskId: string;
  status: TaskStatus;
  at: string;
  message?: string;
  /** A token a streaming model produced (status RUNNING); live only, never replayed. */
  token?: { index: number; text: string };
}

type Listener = (event: TaskProgressEvent) => void;

export class TaskEventBus {
  private readonly pub: Redis;
  private readonly sub: Redis;
  private readonly listeners = new Map<string, Set<Listener>>();

  constructor(
    redisUrl: string,
    private readonly prefix: string,
  ) {
    // Auto-pipelining: the publishes of one tick (many tasks' events) go out in one write.
    this.pub = new Redis(redisUrl, {
      lazyConnect: false,
      maxRetriesPerRequest: 3,
      enableAutoPipelining: true,
    });
    this.sub = new Redis(redisUrl, { lazyConnect: false });
    // Connection errors are retried by ioredis; they must not crash the process meanwhile.
    this.pub.on("error", () => {});
    this.sub.on("error", () => {});
    this.sub.on("message", (channel: string, message: string) => {
      const set = this.listeners.get(channel);
      if (!set) return; // not a task channel (e.g. the cancel channel, handled by onCancel)
      const event = JSON.parse(message) as TaskProgressEvent;
      for (const listener of set) listener(event);
    });
  }

  private channel(taskId: string): string {
    return `${this.prefix}:task-events:${taskId}`;
  }

  async publish(event: TaskProgressEvent): Promise<void> {
    await this.pub.publish(this.channel(event.taskId), JSON.stringify(event));
  }

  /** Several events in one round trip, in order. */
  async publishAll(events: TaskProgressEvent[]): Promise<void> {
    const pipeline = this.pub.pipeline();
    for (const event of events) pipeline.publish(this.channel(event.taskId), JSON.stringify(event));
    const results = (await pipeline.exec()) ?? [];
    const failed = results.find(([err]) => err);
    if (failed?.[0]) throw failed[0];
  }

  /** Listens to one task's events; returns the function that stops listening. */
  async listen(taskId: string, listener: Listener): Promise<() => void> {
    const channel = this.channel(taskId);
    let set = this.listeners.get(channel);
    if (!set) {
      set = new Set();
      this.listeners.set(channel, set);
    }
    set.add(listener);
    await this.sub.subscribe(channel);
    return () => {
      const current = this.listeners.get(channel);
      if (!current) return;
      current.delete(listener);
      if (current.size === 0) {
        this.listeners.delete(channel);
        void this.sub.unsubscribe(channel).catch(() => {});
      }
    };
  }

  /** Asks whichever dispatcher runs this task to abort it. */
  async requestCancel(taskId: string): Promise<void> {
    await this.pub.publish(`${this.prefix}:task-cancel`, taskId);
  }

  /** Hears cancellation requests (dispatchers). */
  async onCancel(listener: (taskId: string) => void): Promise<() => void> {
    const channel = `${this.prefix}:task-cancel`;
    const onMessage = (ch: string, taskId: string) => {
      if (ch === channel) listener(taskId);
    };
    this.sub.on("message", onMessage);
    await this.sub.subscribe(channel);
    return () => {
      this.sub.off("message", onMessage);
      void this.sub.unsubscribe(channel).catch(() => {});
    };
  }

  async close(): Promise<void> {
    this.listeners.clear();
    await Promise.allSettled([this.pub.quit(), this.sub.quit()]);
  }
}
