/** Actor service messages (actor.proto), as proto-loader decodes them; see wire.ts. */

export interface ActorCallRequest {
  method: string;
  args: Buffer;
}

export interface ActorCallReply {
  result: Buffer;
}
