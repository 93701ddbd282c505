import { randomUUID } from "node:crypto";
import type { MikroORM } from "@mikro-orm/postgresql";
import { type PayoutOutcome, PayoutSender } from "@neurogrid/contracts";
import { LedgerAccountKind } from "../db/entities/index.js";
import { ApiError } from "../errors.js";
import { externalAccount } from "../ledger/accounts.js";
import { ensureLedgerAccount } from "../ledger/ledger.js";
import { withdrawalEndLegs, withdrawalLegs } from "../ledger/withdrawal.js";
import { endWithdrawal, requestWithdrawal } from "../ledger/withdrawal-statement.js";
import type { PayoutChain } from "../payouts/payout-chain.js";
import { PgWithdrawalAttemptStore } from "./pg-withdrawal-attempt-store.js";

/**
 * Client withdrawals to the wallet the client linked:
 *
 *   request  one statement: the withdrawal PENDING and its amount moved out of the client's
 *            available balance into withdrawals in flight (refused whole when it does not cover it)
 *   run      (the payouts process) the hot wallet is topped up toward the PENDING total, never
 *            above its cap; each PENDING withdrawal it covers goes to contracts' PayoutSender,
 *            sent by the hot wallet, as a batch of one (memo
 *            `neurogrid-payout:<withdrawal id>`) over PgWithdrawalAttemptStore — the payouts'
 *            safe sender: stored signed bytes, no new transaction until the old one provably
 *            cannot land, so a first transaction that lands late is found, not sent again
 *              confirmed -> CONFIRMED, in flight -> external
 *              failed    -> FAILED, in flight -> back to the client's available balance
 *              pending   -> left for the next run
 * Runs never overlap, across processes (an advisory lock).
 */
const ADVISORY_LOCK = 0x6e65757277; // "neurw"

export interface WithdrawalRunSummary {
  ran: boolean;
  confirmed: number;
  failed: number;
  pending: number;
}

export class WithdrawalRunner {
  readonly #orm: MikroORM;
  readonly #chain: PayoutChain | undefined;
  readonly #store: PgWithdrawalAttemptStore;
  readonly #log: ((msg: string) => void) | undefined;

  /** Without a chain (an api replica): requests only; the payouts process runs them. */
  constructor(orm: MikroORM, chain: PayoutChain | undefined, log?: (msg: string) => void) {
    this.#orm = orm;
    this.#chain = chain;
    this.#log = log;
    this.#store = new PgWithdrawalAttemptStore(orm);
  }

  /** Moves the amount out of the client's available balance; the next run sends it. */
  async request(
    accountId: string,
    amount: bigint,
    now = new Date(),
  ): Promise<{ id: string; wallet: string }> {
    const em = this.#orm.em.fork();
    const [wallet] = await em.execute<{ address: string }[]>(
      "select address from wallets where account_id = ?",
      [accountId],
    );
    if (!wallet) throw new ApiError("BAD_USER_INPUT", "link a wallet first (walletChallenge, linkWallet)");
    const available = await ensureLedgerAccount(em, LedgerAccountKind.CLIENT_AVAILABLE, accountId);
    const inFlight = await ensureLedgerAccount(em, LedgerAccountKind.WITHDRAWALS_IN_FLIGHT, null);
    const id = randomUUID();
    const done = await requestWithdrawal(em, {
      id,
      accountId,
      wallet: wallet.address,
      amount,
      legs: withdrawalLegs(available, inFlight, amount),
      now,
    });
    if (!done)
      throw new ApiError("INSUFFICIENT_FUNDS", "your available balance does not cover this withdrawal");
    return { id, wallet: wallet.address };
  }

  async run(): Promise<WithdrawalRunSummary> {
    return this.#orm.em
      .fork()
      .getConnection()
      .getKnex()
      .transaction(async (trx) => {
        const locked = await trx.raw("select pg_try_advisory_xact_lock(?) as ok", [ADVISORY_LOCK]);
        if (!locked.rows[0]?.ok) return { ran: false, confirmed: 0, failed: 0, pending: 0 };
        return this.#settle();
      });
  }

  async #settle(): Promise<WithdrawalRunSummary> {
    const chain = this.#chain;
    if (!chain) throw new Error("withdrawals are sent by the payouts process, which holds the hot wallet");
    const pending = await this.#orm.em
      .fork()
      .execute<{ id: string; account_id: string; wallet: string; amount: string }[]>(
        "select id, account_id, wallet, amount from withdrawals where status = 'PENDING' order by created_at",
      );
    const sender = new PayoutSender({
      rpc: chain.rpc,
      wallet: chain.wallet,
      mint: chain.mint,
      store: this.#store,
      commitment: chain.commitment,
      pollIntervalMs: chain.pollIntervalMs,
      timeoutMs: chain.settleTimeoutMs,
      onEvent: (e) => this.#log?.(`withdrawals: ${e.type} ${"signature" in e ? e.signature : ""}`),
    });
    const summary: WithdrawalRunSummary = { ran: true, confirmed: 0, failed: 0, pending: 0 };
    const needed = pending.reduce((sum, w) => sum + BigInt(w.amount), 0n);
    let spendable = needed > 0n ? await chain.fund?.(needed) : undefined;
    const funded = pending.filter((w) => {
      if (spendable === undefined) return true;
      if (BigInt(w.amount) > spendable) return false; // waits for the hot wallet's next top-up
      spendable -= BigInt(w.amount);
      return true;
    });
    summary.pending += pending.length - funded.length;
    const settled = await Promise.all(
      funded.map(async (w) => {
        const { outcomes } = await sender.settle({
          batchId: w.id,
          payouts: [{ payoutId: w.id, recipient: w.wallet, amount: BigInt(w.amount) }],
        });
        return { w, outcome: outcomes[0] };
      }),
    );
    for (const { w, outcome } of settled) {
      if (!outcome || outcome.status === "pending") {
        summary.pending++;
        continue;
      }
      if (await this.#end(w, outcome)) summary[outcome.status]++;
    }
    return summary;
  }

  async #end(
    w: { id: string; account_id: string; amount: string },
    outcome: Exclude<PayoutOutcome, { status: "pending" }>,
  ): Promise<boolean> {
    const em = this.#orm.em.fork();
    const inFlight = await ensureLedgerAccount(em, LedgerAccountKind.WITHDRAWALS_IN_FLIGHT, null);
    const confirmed = outcome.status === "confirmed";
    const counterpart = confirmed
      ? await externalAccount(em)
      : await ensureLedgerAccount(em, LedgerAccountKind.CLIENT_AVAILABLE, w.account_id);
    return endWithdrawal(em, {
      id: w.id,
      status: confirmed ? "CONFIRMED" : "FAILED",
      signature: confirmed ? outcome.signature : null,
      error: confirmed ? null : outcome.reason,
      legs: withdrawalEndLegs(inFlight, counterpart, BigInt(w.amount)),
      now: new Date(),
    });
  }
}
