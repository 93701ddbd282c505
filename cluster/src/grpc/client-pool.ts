/**
 * One long-lived gRPC client (HTTP/2 channel) per address. Concurrent calls to the same address
 * share it (HTTP/2 multiplexes them), so a driver opens one connection per actor process, not
 * one per call.
 */
import * as grpc from "@grpc/grpc-js";
import { credentialInterceptor } from "../auth/credential-interceptor.js";
import { channelCredentials, type TlsMaterial } from "./tls.js";

/**
 * For channels to a peer that may restart (the head): reconnect within about a second of it
 * coming back, rather than after grpc-js's default backoff (which grows to two minutes).
 */
export const QUICK_RECONNECT: grpc.ChannelOptions = {
  "grpc.initial_reconnect_backoff_ms": 100,
  "grpc.min_reconnect_backoff_ms": 100,
  "grpc.max_reconnect_backoff_ms": 1_000,
};

/**
 * For call channels: actor arguments and results (tensors, images) may be large; allow messages
 * up to 64 MiB instead of gRPC's default 4 MiB. Servers of the Actor service set the same.
 */
export const LARGE_MESSAGES: grpc.ChannelOptions = {
  "grpc.max_receive_message_length": 64 * 1024 * 1024,
  "grpc.max_send_message_length": 64 * 1024 * 1024,
  // HTTP/2 flow-control window of a channel (16 MiB, not 64 KiB): a batch's replies (~85 KB for
  // 64 rows of a small model) arrive without waiting for window updates, which a replica busy
  // with its next inference cannot send. grpc-js clients honour it; its server does not yet.
  "grpc-node.flow_control_window": 16 * 1024 * 1024,
};

export class ClientPool {
  readonly #clients = new Map<string, grpc.Client>();
  readonly #options: grpc.ChannelOptions;
  readonly #credentials: grpc.ChannelCredentials;

  /**
   * `tls`: mutual TLS with this member's certificate (see tls.ts); plain text when absent.
   * `token`: the loopback credential every call carries (auth/credential-token.ts).
   */
  constructor(options: grpc.ChannelOptions = {}, tls?: TlsMaterial, token?: string) {
    this.#options =
      token === undefined ? options : { ...options, interceptors: [credentialInterceptor(token)] };
    this.#credentials = channelCredentials(tls);
  }

  get(address: string): grpc.Client {
    let client = this.#clients.get(address);
    if (client === undefined) {
      client = new grpc.Client(address, this.#credentials, this.#options);
      this.#clients.set(address, client);
    }
    return client;
  }

  close(address: string): void {
    this.#clients.get(address)?.close();
    this.#clients.delete(address);
  }

  closeAll(): void {
    for (const client of this.#clients.values()) client.close();
    this.#clients.clear();
  }
}
