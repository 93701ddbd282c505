/**
 * The signed-in session: the access token lives only here, in memory. The refresh token is an
 * httpOnly cookie the page never sees; refreshing echoes the CSRF cookie in a header
 * (api/src/dashboard/session-routes.ts). A reload resumes the session through a refresh.
 */
interface SessionAccount {
  id: string;
  name: string;
  role: "client" | "provider" | "admin";
}

export interface Session {
  accessToken: string;
  expiresAt: number;
  account: SessionAccount;
}

/** Refresh this long before the access token expires. */
const REFRESH_MARGIN_MS = 60_000;
const CSRF_COOKIE = "ng_csrf";
const CSRF_HEADER = "x-csrf-token";

class SessionError extends Error {
  override readonly name = "SessionError";
}

type Listener = (session: Session | null) => void;

export class SessionStore {
  #session: Session | null = null;
  #listeners = new Set<Listener>();
  #timer: ReturnType<typeof setTimeout> | undefined;

  get current(): Session | null {
    return this.#session;
  }

  subscribe(listener: Listener): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  async login(login: string, password: string): Promise<void> {
    this.#set(await sessionOf(await post("/session/login", { login, password })));
  }

  /** Resumes a session from the refresh cookie; false when there is none to resume. */
  async resume(): Promise<boolean> {
    if (!csrfToken()) return false;
    try {
      this.#set(await sessionOf(await post("/session/refresh", {}, true)));
      return true;
    } catch {
      this.#set(null);
      return false;
    }
  }

  async logout(): Promise<void> {
    try {
      await post("/session/logout", {}, true);
    } finally {
      this.#set(null);
    }
  }

  #set(session: Session | null): void {
    clearTimeout(this.#timer);
    this.#session = session;
    if (session) {
      const wait = Math.max(0, session.expiresAt - Date.now() - REFRESH_MARGIN_MS);
      this.#timer = setTimeout(() => void this.resume(), wait);
    }
    for (const listener of this.#listeners) listener(session);
  }
}

function csrfToken(): string | undefined {
  for (const part of document.cookie.split(";")) {
    const [name, value] = part.trim().split("=");
    if (name === CSRF_COOKIE && value) return decodeURIComponent(value);
  }
  return undefined;
}

function post(path: string, body: unknown, withCsrf = false): Promise<Response> {
  const headers: Record<string, string> = { "content-type": "application/json" };
  if (withCsrf) headers[CSRF_HEADER] = csrfToken() ?? "";
  return fetch(path, { method: "POST", headers, body: JSON.stringify(body), credentials: "same-origin" });
}

async function sessionOf(res: Response): Promise<Session> {
  const json = (await res.json().catch(() => ({}))) as {
    accessToken?: string;
    accessTokenExpiresAt?: string;
    account?: SessionAccount;
    error?: { message?: string };
  };
  if (!res.ok || !json.accessToken || !json.accessTokenExpiresAt || !json.account) {
    throw new SessionError(json.error?.message ?? `sign-in failed (HTTP ${res.status})`);
  }
  return {
    accessToken: json.accessToken,
    expiresAt: Date.parse(json.accessTokenExpiresAt),
    account: json.account,
  };
}
