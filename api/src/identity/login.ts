import { createHash } from "node:crypto";
import type { EntityManager } from "@mikro-orm/postgresql";
import type { Redis } from "ioredis";
import { Account } from "../db/entities/index.js";
import { ApiError } from "../errors.js";
import { hashPassword, verifyPassword } from "./passwords.js";

/**
 * Password login with backoff per account and per client address, shared by every route that
 * takes a password (the GraphQL `login` mutation, the dashboard's /session/login).
 *
 * Each attempt is counted before scrypt runs, atomically in Redis (one script over both keys):
 * past `freeAttempts` attempts without a success, the next is refused until a delay has passed,
 * doubling with each further attempt up to `maxDelayMs`. An attempt refused this way costs no
 * scrypt and no database query, so neither guessing one account's password nor spraying one
 * password over many accounts from one address can keep the api's thread pool busy; and since the
 * count is taken before the verification, concurrent guesses cannot all slip in before the
 * first failure is recorded. A success forgets the account's count and takes its attempt back
 * from the address. Keys carry a hash of the login, never the login itself.
 */
export interface LoginBackoffOptions {
  /** Attempts per account before the delays start (5). */
  accountFreeAttempts?: number;
  /** Attempts per address before the delays start (20: many accounts from one place). */
  addressFreeAttempts?: number;
  /** The first delay (1 s), doubled per further attempt up to `maxDelayMs` (15 min). */
  baseDelayMs?: number;
  maxDelayMs?: number;
  /** How long a count lasts without attempts (one day). */
  windowMs?: number;
  /** Tests: a clock. */
  now?: () => number;
}

const SCRIPT = `
local now = tonumber(ARGV[1])
local base = tonumber(ARGV[2])
local max = tonumber(ARGV[3])
local window = tonumber(ARGV[4])
local wait = 0
for i = 1, 2 do
  local nextAt = tonumber(redis.call('HGET', KEYS[i], 'next') or '0')
  if nextAt > now and nextAt - now > wait then wait = nextAt - now end
end
if wait > 0 then return wait end
for i = 1, 2 do
  local free = tonumber(ARGV[4 + i])
  local n = redis.call('HINCRBY', KEYS[i], 'n', 1)
  if n > free then
    redis.call('HSET', KEYS[i], 'next', now + math.min(max, base * 2 ^ math.min(30, n - free - 1)))
  end
  redis.call('PEXPIRE', KEYS[i], window)
end
return 0
`;

type BackoffRedis = Redis & {
  neurogridLoginAttempt(
    account: string,
    address: string,
    now: number,
    base: number,
    max: number,
    window: number,
    accountFree: number,
    addressFree: number,
  ): Promise<number>;
};

export class LoginBackoff {
  readonly #redis: BackoffRedis;
  readonly #prefix: string;
  readonly #opts: Required<Omit<LoginBackoffOptions, "now">>;
  readonly #now: () => number;

  constructor(redis: Redis, prefix: string, opts: LoginBackoffOptions = {}) {
    this.#redis = redis as BackoffRedis;
    this.#prefix = prefix;
    this.#now = opts.now ?? Date.now;
    this.#opts = {
      accountFreeAttempts: opts.accountFreeAttempts ?? 5,
      addressFreeAttempts: opts.addressFreeAttempts ?? 20,
      baseDelayMs: opts.baseDelayMs ?? 1000,
      maxDelayMs: opts.maxDelayMs ?? 15 * 60_000,
      windowMs: opts.windowMs ?? 24 * 3600_000,
    };
    if (!("neurogridLoginAttempt" in redis))
      redis.defineCommand("neurogridLoginAttempt", { numberOfKeys: 2, lua: SCRIPT });
  }

  /** Counts an attempt; the delay in ms before one is allowed (then nothing was counted), or 0. */
  async attempt(login: string, address: string | undefined): Promise<number> {
    const o = this.#opts;
    return Number(
      await this.#redis.neurogridLoginAttempt(
        this.#accountKey(login),
        this.#addressKey(address),
        this.#now(),
        o.baseDelayMs,
        o.maxDelayMs,
        o.windowMs,
        o.accountFreeAttempts,
        o.addressFreeAttempts,
      ),
    );
  }

  /** A right password: the account starts over, and the address gets its attempt back. */
  async succeeded(login: string, address: string | undefined): Promise<void> {
    await this.#redis.del(this.#accountKey(login));
    await this.#redis.hincrby(this.#addressKey(address), "n", -1);
  }

  #accountKey(login: string): string {
    const id = createHash("sha256").update(login.trim().toLowerCase()).digest("hex").slice(0, 32);
    return `${this.#prefix}:login:account:${id}`;
  }

  #addressKey(address: string | undefined): string {
    return `${this.#prefix}:login:address:${address ?? "unknown"}`;
  }
}

// Verifying against a fixed hash when the login is unknown keeps the timing of both cases alike.
const DUMMY_HASH = hashPassword("not-a-real-password");

/**
 * The account a login (name or email) and password name, or UNAUTHENTICATED; RATE_LIMITED (with
 * `retryAfterMs`) without running scrypt while the account or the address is backing off.
 */
export async function passwordLogin(
  em: EntityManager,
  backoff: LoginBackoff,
  input: { login: string; password: string; address: string | undefined },
): Promise<Account> {
  const login = input.login.trim();
  const wait = await backoff.attempt(login, input.address);
  if (wait > 0) {
    throw new ApiError("RATE_LIMITED", `too many login attempts: retry in ${wait} ms`, {
      retryAfterMs: wait,
    });
  }
  const account = await em.findOne(
    Account,
    login.includes("@") ? { email: login.toLowerCase() } : { name: login },
  );
  const ok = await verifyPassword(input.password, account?.passwordHash ?? (await DUMMY_HASH));
  if (!account?.passwordHash || !ok) throw new ApiError("UNAUTHENTICATED", "wrong login or password");
  await backoff.succeeded(login, input.address);
  return account;
}
