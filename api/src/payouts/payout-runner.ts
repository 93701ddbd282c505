import { randomUUID } from "node:crypto";
import type { EntityManager, MikroORM } from "@mikro-orm/postgresql";
import { type PayoutOutcome, PayoutSender, RecipientLookupTables } from "@neurogrid/contracts";
import { LedgerAccountKind, LedgerTxKind } from "../db/entities/index.js";
import { ensureLedgerAccount, lockAccounts, post } from "../ledger/ledger.js";
import type { PayoutChain } from "./payout-chain.js";
import type { PayoutEventBus } from "./payout-events.js";
import { PgAttemptStore } from "./pg-attempt-store.js";
import { PgLookupTableStore } from "./pg-lookup-table-store.js";

/**
 * One payout run (the repeatable BullMQ job calls it; `runPayouts` and tests too):
 *
 *   gather   every provider with a linked wallet and earnings >= threshold: one transaction
 *            writes a PENDING payout of the whole balance and moves it earnings -> payouts in
 *            flight (ledger movement `payout`, unique per payout)
 *   batch    unbatched PENDING payouts get a batch id (at most `batchSize` per batch)
 *   fund     the hot payout wallet is topped up toward the batches' total, never above its cap
 *            (chain.fund, in the payouts process); a batch beyond what it then holds waits
 *   settle   each batch with PENDING payouts goes to contracts' PayoutSender over the PgAttemptStore,
 *            signed and sent by the hot wallet (never the treasury key):
 *            confirmed -> payout CONFIRMED with its signature; in flight -> external (`payout_settled`)
 *            failed    -> payout FAILED; in flight -> back to earnings (`payout_returned`)
 *            pending   -> left for the next run, which resumes from the stored transactions
 *
 * Runs never overlap, across processes: a PostgreSQL advisory lock guards them.
 */
const ADVISORY_LOCK = 0x6e6575726f; // "neuro"

export interface PayoutRunSummary {
  ran: boolean;
  created: number;
  confirmed: number;
  failed: number;
  pending: number;
}

export interface PayoutRunnerOptions {
  orm: MikroORM;
  chain: PayoutChain;
  thresholdUnits: bigint;
  events?: PayoutEventBus;
  batchSize?: number;
  log?: (msg: string) => void;
}

interface PendingPayout {
  id: string;
  provider_id: string;
  wallet: string;
  amount: string;
  batch_id: string;
}

export class PayoutRunner {
  readonly #store: PgAttemptStore;
  readonly #lookupTables: RecipientLookupTables;

  readonly #opts: PayoutRunnerOptions;

  constructor(opts: PayoutRunnerOptions) {
    this.#opts = opts;
    this.#store = new PgAttemptStore(opts.orm);
    this.#lookupTables = new RecipientLookupTables(
      opts.chain.rpc,
      opts.chain.wallet,
      new PgLookupTableStore(opts.orm),
      { pollIntervalMs: opts.chain.pollIntervalMs },
    );
  }

  get recipientTables(): RecipientLookupTables {
    return this.#lookupTables;
  }

  async run(): Promise<PayoutRunSummary> {
    const em = this.#opts.orm.em.fork();
    return em
      .getConnection()
      .getKnex()
      .transaction(async (trx) => {
        const locked = await trx.raw("select pg_try_advisory_xact_lock(?) as ok", [ADVISORY_LOCK]);
        if (!locked.rows[0]?.ok) return { ran: false, created: 0, confirmed: 0, failed: 0, pending: 0 };
        const created = await this.#gather();
        await this.#batch();
        const outcomes = await this.#settle();
        return {
          ran: true,
          created,
          confirmed: outcomes.filter((o) => o.status === "confirmed").length,
          failed: outcomes.filter((o) => o.status === "failed").length,
          pending: outcomes.filter((o) => o.status === "pending").length,
        };
      });
  }

  async #gather(): Promise<number> {
    const em = this.#opts.orm.em.fork();
    const due = await em.execute<{ provider_id: string; address: string }[]>(
      `select a.owner_id as provider_id, w.address from ledger_accounts a
         join wallets w on w.account_id = a.owner_id
        where a.kind = 'provider_earnings' and a.balance >= ?`,
      [this.#opts.thresholdUnits.toString()],
    );
    let created = 0;
    for (const { provider_id, address } of due) {
      // Accounts are resolved before the transaction: resolving may need a connection of its own.
      const earnings = await ensureLedgerAccount(em, LedgerAccountKind.PROVIDER_EARNINGS, provider_id);
      const flight = await inFlight(em);
      const made = await em.fork().transactional(async (tx) => {
        const balance = (await lockAccounts(tx, [earnings, flight])).get(earnings) ?? 0n;
        if (balance < this.#opts.thresholdUnits || balance <= 0n) return null;
        const id = randomUUID();
        await tx.execute(
          "insert into payouts (id, provider_id, wallet, amount, status, created_at) values (?, ?, ?, ?, 'PENDING', now())",
          [id, provider_id, address, balance.toString()],
        );
        await post(tx, {
          kind: LedgerTxKind.PAYOUT,
          payoutId: id,
          memo: `payout ${id} to ${address}`,
          legs: [
            { accountId: earnings, amount: -balance },
            { accountId: flight, amount: balance },
          ],
        });
        return { id, amount: balance };
      });
      if (made) {
        created++;
        await this.#announce({ id: made.id, provider_id, amount: made.amount.toString() }, "PENDING");
      }
    }
    return created;
  }

  async #batch(): Promise<void> {
    const em = this.#opts.orm.em.fork();
    const size = this.#opts.batchSize ?? 100;
    for (;;) {
      const batchId = randomUUID();
      const rows = await em.execute<{ id: string }[]>(
        `update payouts set batch_id = ? where id in (
           select id from payouts where status = 'PENDING' and batch_id is null order by created_at limit ?
         ) returning id`,
        [batchId, size],
      );
      if (rows.length < size) return;
    }
  }

  async #settle(): Promise<PayoutOutcome[]> {
    const em = this.#opts.orm.em.fork();
    const pending = await em.execute<PendingPayout[]>(
      "select id, provider_id, wallet, amount, batch_id from payouts where status = 'PENDING' and batch_id is not null order by batch_id, id",
    );
    const batches = new Map<string, PendingPayout[]>();
    for (const p of pending) batches.set(p.batch_id, [...(batches.get(p.batch_id) ?? []), p]);
    const sender = new PayoutSender({
      rpc: this.#opts.chain.rpc,
      wallet: this.#opts.chain.wallet,
      mint: this.#opts.chain.mint,
      store: this.#store,
      lookupTables: this.#lookupTables,
      commitment: this.#opts.chain.commitment,
      pollIntervalMs: this.#opts.chain.pollIntervalMs,
      timeoutMs: this.#opts.chain.settleTimeoutMs,
      onEvent: (e) => this.#opts.log?.(`payouts: ${e.type} ${"signature" in e ? e.signature : ""}`),
    });
    const all: PayoutOutcome[] = [];
    const totals = [...batches.values()].map((ps) => ps.reduce((sum, p) => sum + BigInt(p.amount), 0n));
    const needed = totals.reduce((a, b) => a + b, 0n);
    let spendable = needed > 0n ? await this.#opts.chain.fund?.(needed) : undefined;
    for (const [i, [batchId, payouts]] of [...batches].entries()) {
      const total = totals[i] ?? 0n;
      if (spendable !== undefined) {
        // Beyond what the hot wallet holds after its top-up: left PENDING for a later run.
        if (total > spendable) {
          this.#opts.log?.(
            `payouts: batch ${batchId} (${total} units) waits for the hot wallet's next top-up`,
          );
          for (const p of payouts) all.push({ payoutId: p.id, status: "pending", signature: null });
          continue;
        }
        spendable -= total;
      }
      const settlement = await sender.settle({
        batchId,
        payouts: payouts.map((p) => ({ payoutId: p.id, recipient: p.wallet, amount: BigInt(p.amount) })),
      });
      const byId = new Map(payouts.map((p) => [p.id, p]));
      for (const outcome of settlement.outcomes) {
        const payout = byId.get(outcome.payoutId);
        if (!payout) continue;
        if (outcome.status === "confirmed") await this.#finish(payout, "CONFIRMED", outcome.signature);
        if (outcome.status === "failed") await this.#finish(payout, "FAILED", undefined, outcome.reason);
        all.push(outcome);
      }
    }
    return all;
  }

  /** A payout's final state and its ledger movement, once (status guard + unique movement). */
  async #finish(p: PendingPayout, status: "CONFIRMED" | "FAILED", signature?: string, error?: string) {
    const amount = BigInt(p.amount);
    const confirmed = status === "CONFIRMED";
    const em = this.#opts.orm.em.fork();
    const flight = await inFlight(em);
    const counterpart = confirmed
      ? await ensureLedgerAccount(em, LedgerAccountKind.EXTERNAL, null)
      : await ensureLedgerAccount(em, LedgerAccountKind.PROVIDER_EARNINGS, p.provider_id);
    const done = await em.transactional(async (tx) => {
      const updated = await tx.execute<{ id: string }[]>(
        `update payouts set status = ?, signature = ?, error = ?, settled_at = now()
          where id = ? and status = 'PENDING' returning id`,
        [status, signature ?? null, error ?? null, p.id],
      );
      if (updated.length === 0) return false;
      await post(tx, {
        kind: confirmed ? LedgerTxKind.PAYOUT_SETTLED : LedgerTxKind.PAYOUT_RETURNED,
        payoutId: p.id,
        memo: confirmed ? `payout ${p.id} confirmed: ${signature}` : `payout ${p.id} failed: ${error}`,
        legs: [
          { accountId: flight, amount: -amount },
          { accountId: counterpart, amount },
        ],
      });
      return true;
    });
    if (done) await this.#announce(p, status, signature);
  }

  async #announce(
    p: { id: string; provider_id: string; amount: string },
    status: "PENDING" | "CONFIRMED" | "FAILED",
    signature?: string,
  ): Promise<void> {
    await this.#opts.events?.publish({
      payoutId: p.id,
      providerId: p.provider_id,
      status,
      amount: p.amount,
      signature,
      at: new Date().toISOString(),
    });
  }
}

const inFlight = (tx: EntityManager) => ensureLedgerAccount(tx, LedgerAccountKind.PAYOUTS_IN_FLIGHT, null);
