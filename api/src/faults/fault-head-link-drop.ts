import type { Fault } from "./fault-context.js";

/** How long the proxy waits for a call to cut before it cuts the idle connections anyway. */
const MAX_WAIT_MS = 5000;

/**
 * The api's and the dispatcher's connections to the head closed from the head's side (the proxy
 * in front of the head), as the next call goes out: that call fails and the caller dials again.
 */
export const headLinkDrop: Fault = async (ctx) => {
  const down = Date.now();
  const { dropped, midCall } = await ctx.headProxy.dropNextCall(MAX_WAIT_MS);
  ctx.log(`faults: ${dropped} connections to the head closed${midCall ? " mid-call" : " (no call came)"}`);
  return {
    target: "head-link",
    downMs: Date.now() - down,
    detail: `${dropped} connections${midCall ? ", cut mid-call" : ", no call in flight"}`,
  };
};
