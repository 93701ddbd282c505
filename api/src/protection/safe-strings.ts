import { BREAK, type DocumentNode, GraphQLError, Kind, visit } from "graphql";

/**
 * One rule for every string a client sends: no NUL character (PostgreSQL's text and jsonb cannot
 * hold U+0000, and the driver fails the whole statement) and no lone UTF-16 surrogate (not a
 * character at all: it cannot be encoded as UTF-8). Such a string is refused at the edge with
 * BAD_USER_INPUT, whatever argument or input field it is in, before any resolver runs:
 *
 * string literals of the document (a document is walked once) and variables at any depth, keys
 * of JSON objects included (`unsafeStringError`: the edge plugin calls it over HTTP and the
 * WebSocket server for each operation, server/graphql-edge.ts); the other routes' JSON bodies (the
 * OpenAI-compatible endpoint) pass `findUnsafeString`.
 */
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

function isUnsafeString(s: string): boolean {
  return s.includes("\u0000") || LONE_SURROGATE.test(s);
}

/**
 * Where the first unsafe string lies in a JSON-like value ("$input.prompt"), or undefined. Walked
 * with a stack of its own, so no nesting depth can overflow the call stack.
 */
export function findUnsafeString(value: unknown, path: string): string | undefined {
  const stack: [unknown, string][] = [[value, path]];
  for (let next = stack.pop(); next !== undefined; next = stack.pop()) {
    const [v, at] = next;
    if (typeof v === "string") {
      if (isUnsafeString(v)) return at;
    } else if (Array.isArray(v)) {
      for (let i = v.length - 1; i >= 0; i--) if (typeof v[i] !== "number") stack.push([v[i], `${at}[${i}]`]);
    } else if (v !== null && typeof v === "object") {
      for (const [key, child] of Object.entries(v)) {
        if (isUnsafeString(key)) return `${at} (a key)`;
        stack.push([child, `${at}.${key}`]);
      }
    }
  }
  return undefined;
}

const MESSAGE = "contains a NUL character or an unpaired surrogate, which no string here may hold";

/** Documents already walked, and whether a literal of theirs is unsafe (a document never changes). */
const walked = new WeakMap<DocumentNode, boolean>();

function hasUnsafeLiteral(document: DocumentNode): boolean {
  const known = walked.get(document);
  if (known !== undefined) return known;
  let unsafe = false;
  visit(document, {
    [Kind.STRING]: (node) => {
      if (isUnsafeString(node.value)) {
        unsafe = true;
        return BREAK;
      }
      return undefined;
    },
  });
  walked.set(document, unsafe);
  return unsafe;
}

/**
 * The BAD_USER_INPUT error (HTTP 400) for a request whose document or variables hold an unsafe
 * string, or undefined when every string is fine.
 */
export function unsafeStringError(document: DocumentNode, variables: unknown): GraphQLError | undefined {
  const where = hasUnsafeLiteral(document) ? "a string literal" : findUnsafeString(variables, "$");
  if (!where) return undefined;
  return new GraphQLError(`${where.replace(/^\$\./, "$")} ${MESSAGE}`, {
    extensions: { code: "BAD_USER_INPUT", http: { status: 400 } },
  });
}
