/**
 * The payout sender: settles a batch on chain so that every payout is paid exactly once, whatever
 * fails (RPC errors, dropped transactions, a crash at any point, blockhash expiry).
 *
 *   for each round, until every payout is settled or the timeout:
 *     1. pending attempts (from the store): read the FINALIZED block height, then the statuses
 *          landed, no error, at the commitment  -> attempt confirmed (its payouts: confirmed)
 *          landed with an error                 -> attempt failed (nothing moved; payouts: failed)
 *          unknown, height > lastValidBlockHeight -> attempt expired: provably never lands
 *          unknown, still valid                 -> resend the SAME stored bytes
 *     2. payouts in no pending/confirmed/failed attempt (new, or only in expired ones, fewer than
 *        maxAttempts times) are packed into new transactions; each is signed, STORED, then sent.
 *
 * Why no payout is paid twice: a payout is in at most one pending attempt (the store enforces
 * it), and a new transaction for it is built only after every earlier one is confirmed-absent:
 * the height was read before the status, so a transaction that could have landed by that height
 * would have shown up. Send errors never trigger a rebuild; they only mean "look it up".
 * Why none is lost: bytes are stored before they can reach the chain, so a crash at any point
 * leaves a pending attempt that the next sender (any process over the same store) resolves.
 *
 * `settle` returns when every payout is confirmed or failed for good, or at `timeoutMs` with the
 * rest "pending"; calling it again (same or new instance) continues where the store says.
 */
import type { PublicKey } from "@solana/web3.js";
import { type ContractsErrorCode, describeError, isContractsError } from "../errors.js";
import {
  buildV0Transaction,
  defaultSleep,
  reachedCommitment,
  signatureOf,
} from "../solana/send-and-confirm.js";
import type { SolanaRpc } from "../solana/solana-rpc.js";
import type { TreasuryKey } from "../token/treasury-key.js";
import type { PayoutAttempt, PayoutAttemptStore } from "./attempt-store.js";
import { packPayouts } from "./pack-payouts.js";
import { type PayoutBatch, type ValidPayout, validatePayouts } from "./payout-batch.js";
import type { RecipientLookupTables } from "./recipient-lookup-tables.js";
import { tokenAccountStates } from "./token-account-states.js";

export type PayoutOutcome =
  | { payoutId: string; status: "confirmed"; signature: string; slot: bigint }
  | { payoutId: string; status: "failed"; code: ContractsErrorCode; reason: string; signatures: string[] }
  | { payoutId: string; status: "pending"; signature: string | null };

export interface BatchSettlement {
  batchId: string;
  outcomes: PayoutOutcome[];
  /** Transactions signed and stored by this call. */
  transactionsBuilt: number;
}

export type PayoutSenderEvent =
  | { type: "stored" | "sent"; batchId: string; signature: string; payouts: number }
  | { type: "send-error"; batchId: string; signature: string; error: string }
  | { type: "resent"; batchId: string; signature: string }
  | { type: "confirmed" | "failed" | "expired"; batchId: string; signature: string; detail?: string }
  | { type: "rpc-error"; batchId: string; error: string };

export interface PayoutSenderOptions {
  rpc: SolanaRpc;
  /**
   * The hot payout wallet (hot-wallet.ts): signs, pays the fees and sends the NEURO from its own
   * token account. Never the treasury: the mint authority is not needed to pay out.
   */
  wallet: TreasuryKey;
  mint: PublicKey;
  store: PayoutAttemptStore;
  /** When given, recipients' token accounts are added to these tables before packing. */
  lookupTables?: RecipientLookupTables;
  /** Status at which a payout counts as confirmed (default "finalized"). */
  commitment?: "confirmed" | "finalized";
  /** Between rounds (default 2000 ms; resends happen once per round). */
  pollIntervalMs?: number;
  /** How long one `settle` call keeps going before returning pending outcomes (default 120 s). */
  timeoutMs?: number;
  /** Expired transactions a payout may go through before it fails for good (default 3). */
  maxAttempts?: number;
  computeUnitPriceMicroLamports?: bigint;
  sleep?: (ms: number) => Promise<void>;
  now?: () => number;
  onEvent?: (event: PayoutSenderEvent) => void;
}

export class PayoutSender {
  readonly #sleep: (ms: number) => Promise<void>;
  readonly #now: () => number;

  readonly #options: PayoutSenderOptions;

  constructor(options: PayoutSenderOptions) {
    this.#options = options;
    this.#sleep = options.sleep ?? defaultSleep;
    this.#now = options.now ?? Date.now;
  }

  #emit(event: PayoutSenderEvent): void {
    this.#options.onEvent?.(event);
  }

  async settle(batch: PayoutBatch): Promise<BatchSettlement> {
    const { valid, rejected } = validatePayouts(this.#options.mint, batch.payouts);
    const deadline = this.#now() + (this.#options.timeoutMs ?? 120_000);
    let transactionsBuilt = 0;
    for (;;) {
      let attempts = await this.#options.store.listByBatch(batch.batchId);
      try {
        if (await this.#resolvePending(batch.batchId, attempts)) {
          attempts = await this.#options.store.listByBatch(batch.batchId);
        }
        const toSend = valid.filter((p) => this.#outcomeOf(p.payoutId, attempts) === null);
        if (toSend.length > 0) {
          transactionsBuilt += await this.#sendNew(batch.batchId, toSend);
          attempts = await this.#options.store.listByBatch(batch.batchId);
        }
      } catch (err) {
        if (!isContractsError(err) || err.code !== "RPC_ERROR") throw err;
        this.#emit({ type: "rpc-error", batchId: batch.batchId, error: err.message });
      }
      const outcomes = valid.map(
        (p): PayoutOutcome =>
          this.#outcomeOf(p.payoutId, attempts) ?? {
            payoutId: p.payoutId,
            status: "pending",
            signature: null,
          },
      );
      const done = outcomes.every((o) => o.status !== "pending");
      if (done || this.#now() >= deadline) {
        const failed = rejected.map(
          (r): PayoutOutcome => ({
            payoutId: r.payoutId,
            status: "failed",
            code: r.code,
            reason: r.reason,
            signatures: [],
          }),
        );
        return { batchId: batch.batchId, outcomes: [...outcomes, ...failed], transactionsBuilt };
      }
      await this.#sleep(this.#options.pollIntervalMs ?? 2000);
    }
  }

  /** Settles what the chain can tell about pending attempts; resends the still-valid ones. */
  async #resolvePending(batchId: string, attempts: readonly PayoutAttempt[]): Promise<boolean> {
    const pending = attempts.filter((a) => a.state === "pending");
    if (pending.length === 0) return false;
    const { rpc, store } = this.#options;
    const height = await rpc.getBlockHeight(); // before the statuses: see the header
    const statuses = await rpc.getSignatureStatuses(pending.map((a) => a.signature));
    let changed = false;
    for (const [i, attempt] of pending.entries()) {
      const status = statuses[i] ?? null;
      const { signature } = attempt;
      if (status?.err) {
        await store.settle(signature, { state: "failed", slot: status.slot, error: status.err });
        this.#emit({ type: "failed", batchId, signature, detail: status.err });
        changed = true;
      } else if (
        status &&
        reachedCommitment(status.confirmationStatus, this.#options.commitment ?? "finalized")
      ) {
        await store.settle(signature, { state: "confirmed", slot: status.slot });
        this.#emit({ type: "confirmed", batchId, signature });
        changed = true;
      } else if (status) {
        // landed, not yet at the commitment: wait
      } else if (height > attempt.lastValidBlockHeight) {
        const error = `blockhash expired (block height ${height} > ${attempt.lastValidBlockHeight}), signature unknown`;
        await store.settle(signature, { state: "expired", error });
        this.#emit({ type: "expired", batchId, signature });
        changed = true;
      } else {
        await this.#send(batchId, attempt.signature, attempt.transaction);
        this.#emit({ type: "resent", batchId, signature });
      }
    }
    return changed;
  }

  /** null: the payout needs a (new) transaction. */
  #outcomeOf(payoutId: string, attempts: readonly PayoutAttempt[]): PayoutOutcome | null {
    const mine = attempts.filter((a) => a.payoutIds.includes(payoutId));
    const confirmed = mine.find((a) => a.state === "confirmed");
    if (confirmed)
      return { payoutId, status: "confirmed", signature: confirmed.signature, slot: confirmed.slot ?? 0n };
    const pending = mine.find((a) => a.state === "pending");
    if (pending) return { payoutId, status: "pending", signature: pending.signature };
    const signatures = mine.map((a) => a.signature);
    const failed = mine.find((a) => a.state === "failed");
    if (failed) {
      return {
        payoutId,
        status: "failed",
        code: "TX_FAILED",
        reason: `transaction failed: ${failed.error}`,
        signatures,
      };
    }
    const expired = mine.filter((a) => a.state === "expired").length;
    if (expired >= (this.#options.maxAttempts ?? 3)) {
      return {
        payoutId,
        status: "failed",
        code: "TX_EXPIRED",
        reason: `${expired} transactions expired without landing`,
        signatures,
      };
    }
    return null;
  }

  /** Packs, signs, stores and sends new transactions for these payouts; returns how many. */
  async #sendNew(batchId: string, payouts: readonly ValidPayout[]): Promise<number> {
    const { rpc, wallet, mint, store } = this.#options;
    const accounts = payouts.map((p) => p.tokenAccount);
    const lookupTables = this.#options.lookupTables ? await this.#options.lookupTables.ensure(accounts) : [];
    const packed = packPayouts({
      batchId,
      payouts,
      treasury: wallet.publicKey,
      mint,
      tokenAccounts: await tokenAccountStates(rpc, accounts),
      lookupTables,
      computeUnitPriceMicroLamports: this.#options.computeUnitPriceMicroLamports,
    });
    const latest = await rpc.getLatestBlockhash();
    for (const group of packed) {
      const tx = buildV0Transaction(wallet, group.instructions, latest.blockhash, lookupTables);
      wallet.sign(tx);
      const signature = signatureOf(tx);
      const bytes = tx.serialize();
      await store.insert({
        signature,
        batchId,
        payoutIds: group.payoutIds,
        transaction: bytes,
        lastValidBlockHeight: latest.lastValidBlockHeight,
      });
      this.#emit({ type: "stored", batchId, signature, payouts: group.payoutIds.length });
      if (await this.#send(batchId, signature, bytes)) {
        this.#emit({ type: "sent", batchId, signature, payouts: group.payoutIds.length });
      }
    }
    return packed.length;
  }

  /** Sends bytes; an RPC error is only reported (the status lookup decides). Other errors propagate. */
  async #send(batchId: string, signature: string, bytes: Uint8Array): Promise<boolean> {
    try {
      await this.#options.rpc.sendRawTransaction(bytes);
      return true;
    } catch (err) {
      if (!isContractsError(err) || err.code !== "RPC_ERROR") throw err;
      this.#emit({ type: "send-error", batchId, signature, error: describeError(err) });
      return false;
    }
  }
}
