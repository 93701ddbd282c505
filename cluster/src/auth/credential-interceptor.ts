/** Client side of the loopback credential: every call on a channel carries the member's token. */
import * as grpc from "@grpc/grpc-js";
import { CREDENTIAL_METADATA_KEY } from "./credential-token.js";

export function credentialInterceptor(token: string): grpc.Interceptor {
  return (options, nextCall) =>
    new grpc.InterceptingCall(nextCall(options), {
      start(metadata, listener, next) {
        metadata.set(CREDENTIAL_METADATA_KEY, token);
        next(metadata, listener);
      },
    });
}
