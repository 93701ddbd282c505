/**
 * Branded identifiers and amounts: plain strings and bigints at run time (and on every wire),
 * distinct types at compile time, so a node id cannot be passed where a task id is expected,
 * nor a count where an amount of NEURO is. A brand is only ever put on by its constructor
 * below (or by a parser that checked the value); a branded value is usable wherever a plain
 * string (bigint) is.
 *
 *   TaskId     a task (the api's task row, its queue job, its events)
 *   AccountId  a ledger account
 *   NodeId     a cluster node (a worker machine), as the head registered it
 *   ActorId    an actor in the head's actor table
 *   Units      an amount in the NEURO token's smallest unit (9 decimals); never floating point
 */
declare const brand: unique symbol;

/** `T` marked as `B`: assignable to `T`, but a plain `T` is not assignable to it. */
export type Brand<T, B extends string> = T & { readonly [brand]: B };

export type TaskId = Brand<string, "TaskId">;
export type AccountId = Brand<string, "AccountId">;
export type NodeId = Brand<string, "NodeId">;
export type ActorId = Brand<string, "ActorId">;
export type Units = Brand<bigint, "Units">;

export function taskId(id: string): TaskId {
  return id as TaskId;
}

export function accountId(id: string): AccountId {
  return id as AccountId;
}

export function nodeId(id: string): NodeId {
  return id as NodeId;
}

export function actorId(id: string): ActorId {
  return id as ActorId;
}

/** An amount already in smallest units (not NEURO: 1 NEURO is 1_000_000_000n units). */
export function units(amount: bigint): Units {
  return amount as Units;
}
