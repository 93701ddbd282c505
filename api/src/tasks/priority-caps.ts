import type { MikroORM } from "@mikro-orm/postgresql";
import { ApiError } from "../errors.js";

/**
 * How high a client may put its tasks in the queue. Any account may use priorities up to the
 * configured default cap; above it, only up to what an admin allowed that account
 * (account_limits.max_priority): priority is the queue's order for everyone, so buying the front
 * of it for nothing is not open to all. Submits at or under the default cost no query.
 */
export class PriorityCaps {
  readonly #orm: MikroORM;
  readonly #defaultCap: number;

  constructor(orm: MikroORM, defaultCap: number) {
    this.#orm = orm;
    this.#defaultCap = defaultCap;
  }

  /** FORBIDDEN when a priority is above the account's cap. */
  async check(accountId: string, priorities: readonly number[]): Promise<void> {
    const highest = Math.max(0, ...priorities);
    if (highest <= this.#defaultCap) return;
    const cap = await this.capOf(accountId);
    if (highest > cap) {
      throw new ApiError(
        "FORBIDDEN",
        `priority ${highest} is above this account's cap of ${cap}; an admin can raise it`,
        { maxPriority: cap },
      );
    }
  }

  /** The account's cap: an admin's, else the default. */
  async capOf(accountId: string): Promise<number> {
    const [row] = await this.#orm.em
      .fork()
      .execute<{ max_priority: number }[]>("select max_priority from account_limits where account_id = ?", [
        accountId,
      ]);
    return row?.max_priority ?? this.#defaultCap;
  }

  /** An admin sets the account's cap. */
  async set(accountId: string, maxPriority: number): Promise<void> {
    await this.#orm.em.fork().execute(
      `insert into account_limits (account_id, max_priority, updated_at) values (?, ?, now())
         on conflict (account_id) do update set max_priority = excluded.max_priority, updated_at = now()`,
      [accountId, maxPriority],
    );
  }
}
