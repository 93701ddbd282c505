/**
 * A driver's call channels, one per actor process address (so every handle on the same actor
 * shares one stream), each over the long-lived gRPC connection to that address.
 */
import { ClientPool, LARGE_MESSAGES } from "../grpc/client-pool.js";
import { EpochBook } from "../grpc/epoch-fence.js";
import type { TlsMaterial } from "../grpc/tls.js";
import { ActorChannel, type ActorChannelOptions } from "./actor-channel.js";

export interface ActorChannelsOptions extends ActorChannelOptions {
  /** Mutual TLS with the actor processes; plain text when absent. */
  tls?: TlsMaterial | undefined;
  /** The loopback credential token calls carry (ClusterClientOptions.credential). */
  credential?: string | undefined;
}

export class ActorChannels {
  /** The newest epoch heard of for each actor: answers from older incarnations are refused. */
  readonly epochs = new EpochBook();
  readonly #pool: ClientPool;
  readonly #options: ActorChannelOptions;
  readonly #channels = new Map<string, ActorChannel>();

  constructor(options: ActorChannelsOptions) {
    this.#options = options;
    this.#pool = new ClientPool(LARGE_MESSAGES, options.tls, options.credential);
  }

  get(address: string): ActorChannel {
    let channel = this.#channels.get(address);
    if (channel === undefined) {
      channel = new ActorChannel(this.#pool.get(address), this.#options, this.epochs);
      this.#channels.set(address, channel);
    }
    return channel;
  }

  /** Whether a connection to the address is (or gets) ready within withinMs. */
  reachable(address: string, withinMs: number): Promise<boolean> {
    return new Promise((resolve) => {
      this.#pool.get(address).waitForReady(Date.now() + withinMs, (err) => resolve(!err));
    });
  }

  /** Drops the channel and connection to an address whose actor is gone. */
  forget(address: string): void {
    this.#channels.get(address)?.close();
    this.#channels.delete(address);
    this.#pool.close(address);
  }

  closeAll(): void {
    for (const channel of this.#channels.values()) channel.close();
    this.#channels.clear();
    this.#pool.closeAll();
  }
}
