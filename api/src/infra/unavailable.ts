/**
 * Whether an error says that PostgreSQL or Redis cannot be reached now (refused, cut, shutting
 * down, starting up, no pooled connection in time), as opposed to a bug: the GraphQL edge
 * answers these UNAVAILABLE with a delay to retry after, not INTERNAL_SERVER_ERROR. Wrapped
 * errors (MikroORM's `previous`, an Error's `cause`, an AggregateError's `errors`) are looked
 * through.
 */
const CODES = new Set([
  "ECONNREFUSED",
  "ECONNRESET",
  "EPIPE",
  "ETIMEDOUT",
  // PostgreSQL: admin_shutdown, crash_shutdown, cannot_connect_now, connection exceptions
  "57P01",
  "57P02",
  "57P03",
  "08000",
  "08001",
  "08003",
  "08006",
]);
const NAMES = new Set(["ConnectionException", "KnexTimeoutError", "MaxRetriesPerRequestError"]);
const MESSAGES = [
  /^Connection terminated/,
  /^Connection ended unexpectedly/,
  /^Connection is closed/,
  /Timeout acquiring a connection/,
  /the database system is (shutting down|starting up)/,
];
const DEPTH = 5;

export function isInfraUnavailable(err: unknown, depth = 0): boolean {
  if (typeof err !== "object" || err === null || depth > DEPTH) return false;
  const e = err as { code?: unknown; name?: unknown; message?: unknown };
  if (typeof e.code === "string" && CODES.has(e.code)) return true;
  if (typeof e.name === "string" && NAMES.has(e.name)) return true;
  if (typeof e.message === "string" && MESSAGES.some((m) => m.test(e.message as string))) return true;
  const inner = err as { previous?: unknown; cause?: unknown; errors?: unknown };
  const nested = [inner.previous, inner.cause, ...(Array.isArray(inner.errors) ? inner.errors : [])];
  return nested.some((n) => isInfraUnavailable(n, depth + 1));
}
