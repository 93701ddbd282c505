import { TaskStatus, type VerificationStatus } from "@neurogrid/schema";
import type { Redis } from "ioredis";
import type { RedisConnections } from "../infra/redis-connections.js";

/**
 * Task progress events travel through Redis pub/sub, so that every api process delivers every
 * event whichever process (api or dispatcher) produced it. One channel per task. `subscribe`
 * resolves only once Redis has acknowledged the SUBSCRIBE, so a subscriber that reads the
 * task's stored state afterwards misses nothing in between.
 *
 * An event published by this process reaches this process's listeners at once, without the
 * round trip through Redis; its copy from Redis is then dropped (each listener gets an event
 * once). A listener that starts after that local delivery misses the event, which is safe for
 * every event published after the state it announces is stored: a listener reads the stored
 * state after it starts (taskProgress does).
 */
export interface TaskProgressEvent {
  taskId: string;
  status: TaskStatus;
  at: string;
  message?: string;
  /** A token a streaming model produced (status RUNNING); live only, never replayed. */
  token?: { index: number; text: string };
  /** A move of the task's result verification (status COMPLETED): verification-store.ts. */
  verification?: VerificationStatus;
}

type Listener = (event: TaskProgressEvent) => void;

/** A task's SCHEDULED and RUNNING at one moment: the start that takes it straight to a replica. */
export function startedEvents(taskId: string, at: Date): TaskProgressEvent[] {
  const when = at.toISOString();
  return [
    { taskId, status: TaskStatus.SCHEDULED, at: when },
    { taskId, status: TaskStatus.RUNNING, at: when },
  ];
}

export class TaskEventBus {
  readonly #pub: Redis;
  readonly #sub: Redis;
  readonly #listeners = new Map<string, Set<Listener>>();
  /** Per channel: messages delivered here at their publish, whose copy from Redis is to be dropped. */
  readonly #echoes = new Map<string, Map<string, number>>();

  readonly #prefix: string;

  constructor(connections: RedisConnections) {
    this.#prefix = connections.prefix;
    // The process's command connection (auto-pipelined: the publishes of one tick, many tasks'
    // events, go out in one write) and a subscriber of its own.
    this.#pub = connections.commands();
    this.#sub = connections.subscriber();
    this.#sub.on("message", (channel: string, message: string) => {
      const set = this.#listeners.get(channel);
      if (!set) return; // not a task channel (e.g. the cancel channel, handled by onCancel)
      if (this.#dropEcho(channel, message)) return;
      // One event, or several of one task in order (publishAll).
      const parsed = JSON.parse(message) as TaskProgressEvent | TaskProgressEvent[];
      for (const event of Array.isArray(parsed) ? parsed : [parsed]) {
        for (const listener of set) listener(event);
      }
    });
  }

  #channel(taskId: string): string {
    return `${this.#prefix}:task-events:${taskId}`;
  }

  async publish(event: TaskProgressEvent): Promise<void> {
    const channel = this.#channel(event.taskId);
    const message = JSON.stringify(event);
    const sent = this.#pub.publish(channel, message);
    this.#deliverHere(channel, message, [event]);
    await sent;
  }

  /**
   * Several events, in order: one message per task (a JSON array when it has several, as
   * SCHEDULED, RUNNING and COMPLETED at once). They go out with every other publish of this tick
   * in one write (auto-pipelining): the tasks a group commit settled are announced together.
   */
  async publishAll(events: TaskProgressEvent[]): Promise<void> {
    const byTask = new Map<string, TaskProgressEvent[]>();
    for (const event of events) {
      const list = byTask.get(event.taskId);
      if (list) list.push(event);
      else byTask.set(event.taskId, [event]);
    }
    const sent: Promise<number>[] = [];
    for (const [taskId, list] of byTask) {
      const channel = this.#channel(taskId);
      const message = JSON.stringify(list.length === 1 ? list[0] : list);
      sent.push(this.#pub.publish(channel, message));
      this.#deliverHere(channel, message, list);
    }
    await Promise.all(sent);
  }

  /** Hands a message published here to this process's listeners now; its Redis copy will be dropped. */
  #deliverHere(channel: string, message: string, events: TaskProgressEvent[]): void {
    const set = this.#listeners.get(channel);
    if (!set || set.size === 0) return;
    let echoes = this.#echoes.get(channel);
    if (!echoes) {
      echoes = new Map();
      this.#echoes.set(channel, echoes);
    }
    echoes.set(message, (echoes.get(message) ?? 0) + 1);
    for (const event of events) for (const listener of [...set]) listener(event);
  }

  #dropEcho(channel: string, message: string): boolean {
    const echoes = this.#echoes.get(channel);
    const count = echoes?.get(message);
    if (!echoes || count === undefined) return false;
    if (count > 1) echoes.set(message, count - 1);
    else echoes.delete(message);
    return true;
  }

  /** Listens to one task's events; returns the function that stops listening. */
  async listen(taskId: string, listener: Listener): Promise<() => void> {
    const channel = this.#channel(taskId);
    let set = this.#listeners.get(channel);
    if (!set) {
      set = new Set();
      this.#listeners.set(channel, set);
    }
    set.add(listener);
    await this.#sub.subscribe(channel);
    return () => {
      const current = this.#listeners.get(channel);
      if (!current) return;
      current.delete(listener);
      if (current.size === 0) {
        this.#listeners.delete(channel);
        this.#echoes.delete(channel);
        void this.#sub.unsubscribe(channel).catch(() => {});
      }
    };
  }

  /** Asks whichever dispatcher runs this task to abort it. */
  async requestCancel(taskId: string): Promise<void> {
    await this.#pub.publish(`${this.#prefix}:task-cancel`, taskId);
  }

  /** Hears cancellation requests (dispatchers). */
  async onCancel(listener: (taskId: string) => void): Promise<() => void> {
    const channel = `${this.#prefix}:task-cancel`;
    const onMessage = (ch: string, taskId: string) => {
      if (ch === channel) listener(taskId);
    };
    this.#sub.on("message", onMessage);
    await this.#sub.subscribe(channel);
    return () => {
      this.#sub.off("message", onMessage);
      void this.#sub.unsubscribe(channel).catch(() => {});
    };
  }

  /** Stops listening (the command connection is the factory's, closed with it). */
  async close(): Promise<void> {
    this.#listeners.clear();
    await this.#sub.quit().catch(() => {});
  }
}
