import type { MikroORM } from "@mikro-orm/postgresql";
import type { LookupTableStore } from "@neurogrid/contracts";

/** The addresses of the recipients' lookup tables the treasury owns, oldest first. */
export class PgLookupTableStore implements LookupTableStore {
  readonly #orm: MikroORM;

  constructor(orm: MikroORM) {
    this.#orm = orm;
  }

  async list(): Promise<string[]> {
    const rows = await this.#orm.em
      .fork()
      .execute<{ address: string }[]>("select address from lookup_tables order by created_at, address");
    return rows.map((r) => r.address);
  }

  async add(address: string): Promise<void> {
    await this.#orm.em
      .fork()
      .execute("insert into lookup_tables (address, created_at) values (?, now()) on conflict do nothing", [
        address,
      ]);
  }
}
