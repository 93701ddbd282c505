import { createServer, type Server, Socket } from "node:net";

/**
 * A TCP proxy in front of the head, on the head's side of a link: the api's and the dispatcher's
 * connections, or one worker's. Clients dial the proxy, which forwards to the head.
 *
 *   dropNextCall()  closes every connection as soon as a client next sends a request (a call cut
 *                   mid-way, from the head's side), or after `maxWaitMs` when none comes;
 *                   clients dial again through the proxy
 *   cut() / heal()  a partition: nothing passes either way until heal(), on open connections or
 *                   new ones; what was sent meanwhile arrives after it, as TCP retransmits across
 *                   a healed link (nothing read from a socket is dropped: reading stops)
 */
export class LinkProxy {
  readonly #server: Server;
  readonly #pairs = new Set<{ client: Socket; head: Socket }>();
  #armed: (() => void) | undefined;
  #cut = false;

  private constructor(server: Server) {
    this.#server = server;
  }

  static async start(headPort: number, headHost = "127.0.0.1"): Promise<LinkProxy> {
    let connect: (client: Socket) => void = (client) => client.destroy();
    const server = createServer((client) => connect(client));
    const proxy = new LinkProxy(server);
    connect = (client) => proxy.#connect(client, headPort, headHost);
    await new Promise<void>((resolve, reject) => {
      server.once("error", reject);
      server.listen(0, "127.0.0.1", () => resolve());
    });
    return proxy;
  }

  get address(): string {
    const a = this.#server.address();
    return `127.0.0.1:${typeof a === "object" && a ? a.port : 0}`;
  }

  /** Cuts every connection at the next request from a client (or after maxWaitMs); how many. */
  async dropNextCall(maxWaitMs: number): Promise<{ dropped: number; midCall: boolean }> {
    const midCall = await new Promise<boolean>((resolve) => {
      const timer = setTimeout(() => {
        this.#armed = undefined;
        resolve(false);
      }, maxWaitMs);
      this.#armed = () => {
        clearTimeout(timer);
        this.#armed = undefined;
        resolve(true);
      };
    });
    const dropped = this.#pairs.size;
    this.#destroyAll();
    return { dropped, midCall };
  }

  cut(): void {
    this.#cut = true;
    for (const { client, head } of this.#pairs) {
      client.pause();
      head.pause();
    }
  }

  heal(): void {
    this.#cut = false;
    for (const { client, head } of this.#pairs) {
      client.resume();
      head.resume();
    }
  }

  async close(): Promise<void> {
    this.#destroyAll();
    await new Promise<void>((resolve) => this.#server.close(() => resolve()));
  }

  #destroyAll(): void {
    for (const pair of this.#pairs) {
      pair.client.destroy();
      pair.head.destroy();
    }
    this.#pairs.clear();
  }

  #connect(client: Socket, headPort: number, headHost: string): void {
    const head = new Socket();
    const pair = { client, head };
    this.#pairs.add(pair);
    if (this.#cut) {
      client.pause();
      head.pause();
    }
    const end = () => {
      this.#pairs.delete(pair);
      client.destroy();
      head.destroy();
    };
    client.on("data", (chunk) => {
      head.write(chunk);
      this.#armed?.();
    });
    head.on("data", (chunk) => client.write(chunk));
    client.on("close", end);
    head.on("close", end);
    client.on("error", end);
    head.on("error", end);
    head.connect(headPort, headHost);
  }
}
