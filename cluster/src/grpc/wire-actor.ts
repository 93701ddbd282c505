/** Actor service messages (actor.proto), as proto-loader decodes them; see wire.ts. */

export interface ActorCallRequest {
  method: string;
  args: Buffer;
  /** The epoch the caller means to call (0 or absent: not checked). */
  epoch?: number;
}

export interface ActorCallReply {
  result: Buffer;
  /** The epoch of the incarnation that answered (0 or absent: none). */
  epoch?: number;
}

type ActorChannelRequestKind = "KIND_UNSPECIFIED" | "START" | "CANCEL" | "CREDIT";

/** Caller -> actor on the call channel (Actor.Connect). */
export interface ActorChannelRequest {
  callId: number;
  kind: ActorChannelRequestKind;
  method: string;
  args: Buffer;
  streaming: boolean;
  credit: number;
  /** START: the caller's trace id ("" or absent: none). */
  traceId?: string;
  /** START: the epoch the caller means to call (0 or absent: not checked). */
  epoch?: number;
}

type ActorChannelReplyKind = "KIND_UNSPECIFIED" | "RESULT" | "ITEM" | "END" | "ERROR";

/** Actor -> caller on the call channel (Actor.Connect). */
export interface ActorChannelReply {
  callId: number;
  kind: ActorChannelReplyKind;
  payload: Buffer;
  errorCode: string;
  errorMessage: string;
  /** The epoch of the incarnation that answered (0 or absent: none). */
  epoch?: number;
}

/** One message on the call channel, caller -> actor: the frames the caller had ready. */
export interface ActorChannelRequests {
  frames: ActorChannelRequest[];
}

/** One message on the call channel, actor -> caller. */
export interface ActorChannelReplies {
  frames: ActorChannelReply[];
}
