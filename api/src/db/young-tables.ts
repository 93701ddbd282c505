import type { EntityManager } from "@mikro-orm/postgresql";

/**
 * Fresh planner statistics for the lifecycle's tables while they are young.
 *
 * The statements every task runs are prepared once per pooled connection (db/prepared.ts). After
 * five runs PostgreSQL keeps ONE generic plan for each, made from the tables' sizes at that
 * moment, and makes it again only when their statistics change (ANALYZE). On a new database those
 * plans are made while `tasks` holds a few rows, where reading the whole table is the cheapest
 * way to find a task: the capture's plan then scans every task, on every capture, as the table
 * grows, until autovacuum first analyzes it — up to a minute later on a new database
 * (autovacuum_naptime), and then only after a tenth of the table has changed. Measured on
 * `bench:api` (fresh database, 45,000 tasks in a minute, no autovacuum visit meanwhile): 401 whole
 * scans of `tasks` reading 3.2 million rows; with this, 42 to 67 reading 0.2 million.
 *
 * So the task store reports the tasks it writes, and each time this process's count reaches the
 * next doubling (from `first` up to `last`), the tables are analyzed in the background: every
 * connection's plans are made again from their present size. One ANALYZE samples at most
 * 30,000 rows a table however large (default_statistics_target 100), so the few beyond what
 * autovacuum would do cost little. A failure is logged, never thrown: the plans stay as they were.
 */
export interface YoungTablesOptions {
  /** The tables analyzed together. */
  tables: readonly string[];
  /** The first analysis once this many rows were written here; then at each doubling. */
  first: number;
  /** No analysis beyond this many rows (autovacuum keeps up with a table this large). */
  last: number;
  log?: ((msg: string) => void) | undefined;
}

export class YoungTables {
  #written = 0;
  #next: number;
  #running: Promise<void> = Promise.resolve();
  readonly #em: EntityManager;
  readonly #opts: YoungTablesOptions;

  constructor(em: EntityManager, opts: YoungTablesOptions) {
    this.#em = em;
    this.#opts = opts;
    this.#next = opts.first;
  }

  /** `n` more rows written by this process; analyzes in the background at each doubling. */
  wrote(n: number): void {
    this.#written += n;
    if (this.#written < this.#next || this.#next > this.#opts.last) return;
    while (this.#next <= this.#written) this.#next *= 2;
    this.#running = this.#running.then(() => this.#analyze());
  }

  /** Resolves once the analyses asked for so far have ended. */
  idle(): Promise<void> {
    return this.#running;
  }

  async #analyze(): Promise<void> {
    try {
      await this.#em.getConnection().execute(`analyze ${this.#opts.tables.join(", ")}`);
    } catch (err) {
      this.#opts.log?.(`analyzing ${this.#opts.tables.join(", ")}: ${String(err)}`);
    }
  }
}
