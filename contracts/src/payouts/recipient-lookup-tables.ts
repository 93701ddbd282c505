/**
 * Long-lived address lookup tables of recipients' token accounts, owned by the treasury. A payout
 * to an address in a table costs one byte of the transaction instead of 32, which is what lets
 * some 50 transfers fit one transaction instead of 19.
 *
 * Tables only grow: `ensure(addresses)` appends the missing ones to the newest table with room
 * (256 addresses per table, 20 per extend transaction), creating a table when all are full, and
 * then waits until the chain's slot is past the last extension (entries are usable from the next
 * slot on). The list of table addresses is kept by a LookupTableStore (the api: a table or a
 * config row; tests: in memory). A table created whose address was not stored before a crash is
 * only a little rent lost; it is never used.
 */
import {
  AddressLookupTableAccount,
  AddressLookupTableProgram,
  type PublicKey,
  type TransactionInstruction,
} from "@solana/web3.js";
import { ContractsError } from "../errors.js";
import { parseAddress } from "../solana/address.js";
import { type ConfirmOptions, defaultSleep, sendInstructions } from "../solana/send-and-confirm.js";
import type { SolanaRpc } from "../solana/solana-rpc.js";
import type { TreasuryKey } from "../token/treasury-key.js";

export const LOOKUP_TABLE_CAPACITY = 256;
const EXTEND_CHUNK = 20;
const LOOKUP_TABLE_PROGRAM = AddressLookupTableProgram.programId.toBase58();

export interface LookupTableStore {
  /** Table addresses, oldest first. */
  list(): Promise<string[]>;
  add(address: string): Promise<void>;
}

export class InMemoryLookupTableStore implements LookupTableStore {
  readonly #addresses: string[] = [];
  async list(): Promise<string[]> {
    return [...this.#addresses];
  }
  async add(address: string): Promise<void> {
    if (!this.#addresses.includes(address)) this.#addresses.push(address);
  }
}

export interface LookupTablesOptions extends ConfirmOptions {
  /** Longest wait for a new extension to become usable (default 120 s). */
  activationTimeoutMs?: number;
}

export class RecipientLookupTables {
  readonly #rpc: SolanaRpc;
  readonly #authority: TreasuryKey;
  readonly #store: LookupTableStore;
  readonly #options: LookupTablesOptions;

  constructor(
    rpc: SolanaRpc,
    authority: TreasuryKey,
    store: LookupTableStore,
    options: LookupTablesOptions = {},
  ) {
    this.#rpc = rpc;
    this.#authority = authority;
    this.#store = store;
    this.#options = options;
  }

  /** The stored tables as they are on chain now. */
  async load(): Promise<AddressLookupTableAccount[]> {
    const keys = (await this.#store.list()).map((a) => parseAddress(a, "lookup table"));
    const accounts = await this.#rpc.getMultipleAccounts(keys);
    return keys.map((key, i) => {
      const account = accounts[i];
      if (!account || account.owner !== LOOKUP_TABLE_PROGRAM) {
        throw new ContractsError("LOOKUP_TABLE_INVALID", `lookup table ${key.toBase58()} not found on chain`);
      }
      const state = AddressLookupTableAccount.deserialize(account.data);
      if (!state.authority?.equals(this.#authority.publicKey) || state.deactivationSlot !== 2n ** 64n - 1n) {
        throw new ContractsError(
          "LOOKUP_TABLE_INVALID",
          `lookup table ${key.toBase58()} is not an active table of the treasury`,
        );
      }
      return new AddressLookupTableAccount({ key, state });
    });
  }

  /** Makes every address usable from a table; returns all tables, current. */
  async ensure(addresses: readonly PublicKey[]): Promise<AddressLookupTableAccount[]> {
    let tables = await this.load();
    const present = new Set(tables.flatMap((t) => t.state.addresses.map((a) => a.toBase58())));
    const missing: PublicKey[] = [];
    for (const a of addresses) {
      const key = a.toBase58();
      if (!present.has(key)) {
        present.add(key);
        missing.push(a);
      }
    }
    if (missing.length === 0) return tables;
    while (missing.length > 0) {
      const last = tables[tables.length - 1];
      const room = last ? LOOKUP_TABLE_CAPACITY - last.state.addresses.length : 0;
      const instructions: TransactionInstruction[] = [];
      let table: PublicKey;
      let created = false;
      if (last && room > 0) {
        table = last.key;
      } else {
        const recentSlot = await this.#rpc.getSlot();
        const [createIx, address] = AddressLookupTableProgram.createLookupTable({
          authority: this.#authority.publicKey,
          payer: this.#authority.publicKey,
          recentSlot,
        });
        instructions.push(createIx);
        table = address;
        created = true;
      }
      const chunk = missing.splice(0, Math.min(created ? LOOKUP_TABLE_CAPACITY : room, EXTEND_CHUNK));
      instructions.push(
        AddressLookupTableProgram.extendLookupTable({
          lookupTable: table,
          authority: this.#authority.publicKey,
          payer: this.#authority.publicKey,
          addresses: chunk,
        }),
      );
      await sendInstructions(this.#rpc, this.#authority, instructions, this.#options);
      if (created) await this.#store.add(table.toBase58());
      tables = await this.load();
    }
    await this.#waitUntilUsable(tables);
    return tables;
  }

  async #waitUntilUsable(tables: readonly AddressLookupTableAccount[]): Promise<void> {
    const lastExtended = Math.max(0, ...tables.map((t) => t.state.lastExtendedSlot));
    const sleep = this.#options.sleep ?? defaultSleep;
    const deadline = Date.now() + (this.#options.activationTimeoutMs ?? 120_000);
    while ((await this.#rpc.getSlot()) <= BigInt(lastExtended)) {
      if (Date.now() > deadline) {
        throw new ContractsError(
          "LOOKUP_TABLE_INVALID",
          `lookup table extension at slot ${lastExtended} not usable in time`,
        );
      }
      await sleep(Math.max(this.#options.pollIntervalMs ?? 400, 1));
    }
  }
}
