import type { ClassType } from "type-graphql";
import { ArgsType, Field, Int, ObjectType } from "type-graphql";
import { badInput } from "../errors.js";

/**
 * Relay-style connections. Lists are ordered newest first by (createdAt, id) and paged by
 * keyset: a cursor is the base64url of that pair, so a page costs one indexed query however
 * deep it is, and rows inserted meanwhile do not shift pages.
 */
@ObjectType("PageInfo")
export class PageInfo {
  @Field(() => Boolean)
  hasNextPage!: boolean;

  @Field(() => Boolean)
  hasPreviousPage!: boolean;

  @Field(() => String, { nullable: true })
  startCursor?: string | undefined;

  @Field(() => String, { nullable: true })
  endCursor?: string | undefined;
}

@ArgsType()
export class PageArgs {
  @Field(() => Int, { nullable: true, defaultValue: 20, description: "At most 100." })
  first?: number;

  @Field(() => String, { nullable: true, description: "Cursor of the last edge already seen." })
  after?: string;
}

interface Edge<T> {
  node: T;
  cursor: string;
}

export interface ConnectionShape<T> {
  edges: Edge<T>[];
  pageInfo: PageInfo;
  totalCount: number;
}

/** Makes `XConnection` and `XEdge` object types for a node type. */
export function Connection<T extends object>(name: string, nodeType: ClassType<T>) {
  @ObjectType(`${name}Edge`)
  class EdgeType {
    @Field(() => nodeType)
    node!: T;

    @Field(() => String)
    cursor!: string;
  }

  @ObjectType(`${name}Connection`)
  class ConnectionType {
    @Field(() => [EdgeType])
    edges!: EdgeType[];

    @Field(() => PageInfo)
    pageInfo!: PageInfo;

    @Field(() => Int, { description: "Items matching the filter, over all pages." })
    totalCount!: number;
  }
  return ConnectionType as ClassType<ConnectionShape<T>>;
}

export interface Keyset {
  createdAt: Date;
  id: string;
}

function encodeCursor(row: { createdAt: Date; id: string | bigint }): string {
  return Buffer.from(JSON.stringify([row.createdAt.toISOString(), String(row.id)])).toString("base64url");
}

export function decodeCursor(cursor: string): Keyset {
  try {
    const [at, id] = JSON.parse(Buffer.from(cursor, "base64url").toString("utf8")) as [string, string];
    const createdAt = new Date(at);
    if (Number.isNaN(createdAt.getTime()) || typeof id !== "string") throw new Error("bad cursor");
    return { createdAt, id };
  } catch {
    throw badInput("invalid cursor");
  }
}

export function pageSize(first: number | undefined): number {
  const n = first ?? 20;
  if (!Number.isInteger(n) || n < 1 || n > 100) throw badInput("first must be between 1 and 100");
  return n;
}

/** A MikroORM filter for "strictly after this cursor" in (createdAt desc, id desc) order. */
export function afterFilter(after: string | undefined): Record<string, unknown> {
  if (!after) return {};
  const k = decodeCursor(after);
  return { $or: [{ createdAt: { $lt: k.createdAt } }, { createdAt: k.createdAt, id: { $lt: k.id } }] };
}

/** Builds the connection from rows fetched with limit n + 1 (the extra row says "more"). */
export function toConnection<R extends { createdAt: Date; id: string | bigint }, T>(
  rows: R[],
  n: number,
  totalCount: number,
  hasPrevious: boolean,
  map: (row: R) => T,
): ConnectionShape<T> {
  const page = rows.slice(0, n);
  const edges = page.map((row) => ({ node: map(row), cursor: encodeCursor(row) }));
  return {
    edges,
    totalCount,
    pageInfo: {
      hasNextPage: rows.length > n,
      hasPreviousPage: hasPrevious,
      startCursor: edges[0]?.cursor,
      endCursor: edges.at(-1)?.cursor,
    },
  };
}
