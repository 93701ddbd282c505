import type { MikroORM } from "@mikro-orm/postgresql";
import {
  type ChainTransaction,
  type IncomingTransfer,
  parseAddress,
  readIncomingTransfer,
  type SolanaRpc,
  tokenAccountOf,
  validateRequestPayment,
} from "@neurogrid/contracts";
import type { PublicKey } from "@solana/web3.js";
import { LedgerAccountKind } from "../db/entities/index.js";
import { externalAccount } from "../ledger/accounts.js";
import { depositCreditLegs } from "../ledger/deposit-credit.js";
import { recordChainTransfer, type TransferRecord } from "../ledger/deposit-credit-statement.js";
import { ensureLedgerAccount } from "../ledger/ledger.js";
import type { DepositEvent, DepositEventBus } from "./deposit-events.js";
import type { DepositRequestRow } from "./deposit-requests.js";

/**
 * One deposit watch (the repeatable BullMQ job calls it; `runDepositWatch` and tests too):
 *
 *   scan     the treasury token account's history, newest first, down to the first signature
 *            already recorded; the new ones are read OLDEST first, so a run that stops halfway
 *            leaves no gap below what it recorded
 *   recheck  every transfer recorded SEEN (confirmed, not yet finalized)
 *   judge    each transaction that brought NEURO to the treasury, at `finalized` only:
 *              names a request's reference -> contracts' validateRequestPayment (mint, amount,
 *                memo, destination) and the request still open when first seen -> CREDITED to
 *                the request's client; otherwise UNMATCHED (UNDERPAID, EXPIRED, ALREADY_PAID...)
 *              else paid by exactly one wallet a client linked -> CREDITED to that client (a
 *                provider's linked wallet is where its payouts go, not a source of credit)
 *              else UNMATCHED (UNKNOWN_SENDER)
 *            CREDITED and UNMATCHED money moves external -> client / unmatched deposits, in
 *            one statement keyed by the signature (ledger/deposit-credit-statement.ts): once.
 *            Before finality a request-bound payment is recorded SEEN and its request too.
 *   misdirected  each open request's reference is looked up: a payment that missed the
 *            treasury's NEURO account (wrong mint, wrong recipient) is recorded UNMATCHED
 *   expire   open requests past their expiry become EXPIRED
 *
 * Runs never overlap, across processes (a PostgreSQL advisory lock); the signature's row and
 * the movement's unique key keep a credit single even if they did.
 */
const ADVISORY_LOCK = 0x6e65757264; // "neurd"
const SCAN_PAGE = 1000;
const MISDIRECTED_LOOKUP_LIMIT = 10;

export interface DepositChain {
  rpc: SolanaRpc;
  /** The treasury wallet (recipient of the requests). */
  treasury: PublicKey;
  mint: PublicKey;
  /** The hot payout wallet, when it is not the treasury: the treasury check counts its NEURO. */
  hotWallet?: PublicKey | undefined;
}

export interface DepositWatchSummary {
  ran: boolean;
  seen: number;
  credited: number;
  unmatched: number;
  expired: number;
}

export interface DepositWatcherOptions {
  orm: MikroORM;
  chain: DepositChain;
  events?: DepositEventBus | undefined;
  now?: () => Date;
  log?: (msg: string) => void;
}

interface Judgement {
  status: "CREDITED" | "UNMATCHED" | "OTHER";
  accountId: string | null;
  request: DepositRequestRow | null;
  sender: string | null;
  reason: string | null;
}

export class DepositWatcher {
  readonly #opts: DepositWatcherOptions;
  readonly #now: () => Date;
  readonly #treasuryAccount: PublicKey;

  constructor(opts: DepositWatcherOptions) {
    this.#opts = opts;
    this.#now = opts.now ?? (() => new Date());
    this.#treasuryAccount = tokenAccountOf(opts.chain.mint, opts.chain.treasury);
  }

  async run(): Promise<DepositWatchSummary> {
    return this.#opts.orm.em
      .fork()
      .getConnection()
      .getKnex()
      .transaction(async (trx) => {
        const locked = await trx.raw("select pg_try_advisory_xact_lock(?) as ok", [ADVISORY_LOCK]);
        if (!locked.rows[0]?.ok) return { ran: false, seen: 0, credited: 0, unmatched: 0, expired: 0 };
        return this.#watch();
      });
  }

  async #watch(): Promise<DepositWatchSummary> {
    const summary: DepositWatchSummary = { ran: true, seen: 0, credited: 0, unmatched: 0, expired: 0 };
    const em = this.#opts.orm.em.fork();
    const seen = await em.execute<{ signature: string; seen_at: Date }[]>(
      "select signature, seen_at from chain_transfers where status = 'SEEN' order by seen_at, signature",
    );
    const fresh = await this.#newSignatures();
    const signatures = [...seen.map((s) => s.signature), ...fresh];
    const seenAt = new Map(seen.map((s) => [s.signature, new Date(s.seen_at)]));
    const statuses = signatures.length ? await this.#opts.chain.rpc.getSignatureStatuses(signatures) : [];
    for (const [i, signature] of signatures.entries()) {
      const status = statuses[i];
      if (!status) continue;
      const tx = await this.#opts.chain.rpc.getTransaction(signature);
      if (!tx) continue;
      const outcome = await this.#judgeAndRecord(
        tx,
        status.confirmationStatus === "finalized",
        seenAt.get(signature),
      );
      if (outcome) summary[outcome]++;
    }
    summary.unmatched += await this.#misdirected();
    summary.expired += await this.#expire();
    return summary;
  }

  /** Signatures on the treasury's token account not recorded yet, oldest first. */
  async #newSignatures(): Promise<string[]> {
    const em = this.#opts.orm.em.fork();
    const out: string[] = [];
    let before: string | undefined;
    for (;;) {
      const page = await this.#opts.chain.rpc.getSignaturesForAddress(this.#treasuryAccount, {
        limit: SCAN_PAGE,
        ...(before ? { before } : {}),
      });
      if (page.length === 0) break;
      const known = new Set(
        (
          await em.execute<{ signature: string }[]>(
            "select signature from chain_transfers where signature = any(?::text[])",
            [`{${page.map((s) => `"${s.signature}"`).join(",")}}`],
          )
        ).map((r) => r.signature),
      );
      const stopAt = page.findIndex((s) => known.has(s.signature));
      const unknown = stopAt < 0 ? page : page.slice(0, stopAt);
      out.push(...unknown.filter((s) => !s.err).map((s) => s.signature));
      if (stopAt >= 0 || page.length < SCAN_PAGE) break;
      before = page[page.length - 1]?.signature;
    }
    return out.reverse();
  }

  async #judgeAndRecord(
    tx: ChainTransaction,
    finalized: boolean,
    firstSeen: Date | undefined,
  ): Promise<"seen" | "credited" | "unmatched" | null> {
    const now = this.#now();
    const incoming = readIncomingTransfer(tx, this.#opts.chain);
    const j = await this.#judge(incoming, firstSeen ?? now);
    const em = this.#opts.orm.em.fork();
    const record: TransferRecord = {
      signature: tx.signature,
      slot: tx.slot,
      status: j.status,
      amount: incoming.received > 0n ? incoming.received : 0n,
      accountId: j.accountId,
      requestId: j.request?.id ?? null,
      sender: j.sender,
      reason: j.reason,
      legs: [],
      memo: `chain deposit ${tx.signature}`,
      now,
    };
    if (!finalized && j.status !== "OTHER") {
      // Confirmed only: no money moves; a request about to be credited shows SEEN.
      const bound = j.status === "CREDITED" && j.request !== null;
      const recorded = await recordChainTransfer(em, {
        ...record,
        status: "SEEN",
        accountId: null,
        requestId: bound ? record.requestId : null,
        reason: null,
      });
      if (recorded && bound && j.request) await this.#announce(j.request, "SEEN", tx.signature, now);
      return recorded ? "seen" : null;
    }
    if (j.status !== "OTHER" && record.amount > 0n) {
      const external = await externalAccount(em);
      const target =
        j.status === "CREDITED" && j.accountId
          ? await ensureLedgerAccount(em, LedgerAccountKind.CLIENT_AVAILABLE, j.accountId)
          : await ensureLedgerAccount(em, LedgerAccountKind.UNMATCHED_DEPOSITS, null);
      record.legs = depositCreditLegs(external, target, record.amount);
      record.memo =
        j.status === "CREDITED"
          ? `chain deposit ${tx.signature}${j.request ? ` for request ${j.request.id}` : " from a linked wallet"}`
          : `unmatched chain deposit ${tx.signature}: ${j.reason}`;
    }
    const recorded = await recordChainTransfer(em, record);
    if (!recorded) return null;
    if (j.status === "CREDITED" && j.request) {
      if (firstSeen === undefined) await this.#announce(j.request, "SEEN", tx.signature, now);
      await this.#announce(j.request, "CREDITED", tx.signature, now, record.amount);
    }
    if (j.status === "CREDITED") return "credited";
    if (j.status === "UNMATCHED") return "unmatched";
    return null;
  }

  async #judge(incoming: IncomingTransfer, seenAt: Date): Promise<Judgement> {
    const none = { accountId: null, request: null, sender: incoming.senders[0] ?? null };
    if (incoming.err || incoming.received <= 0n) return { ...none, status: "OTHER", reason: null };
    const em = this.#opts.orm.em.fork();
    const [request] = await em.execute<DepositRequestRow[]>(
      "select * from deposit_requests where reference = any(?::text[]) order by created_at limit 1",
      [`{${incoming.accounts.map((a) => `"${a}"`).join(",")}}`],
    );
    if (request) {
      const verdict = validateRequestPayment(incoming, {
        reference: parseAddress(request.reference, "reference"),
        amount: BigInt(request.amount),
        memo: request.memo,
      });
      const base = { ...none, request };
      if (!verdict.ok) return { ...base, status: "UNMATCHED", reason: verdict.reason };
      if (request.status === "CREDITED") return { ...base, status: "UNMATCHED", reason: "ALREADY_PAID" };
      if (request.status === "EXPIRED" || seenAt > new Date(request.expires_at)) {
        return { ...base, status: "UNMATCHED", reason: "EXPIRED" };
      }
      return { ...base, status: "CREDITED", accountId: request.account_id, reason: null };
    }
    if (incoming.senders.length === 1) {
      const [linked] = await em.execute<{ account_id: string }[]>(
        "select w.account_id from wallets w join accounts a on a.id = w.account_id where w.address = ? and a.role = 'client'",
        [incoming.senders[0]],
      );
      if (linked) return { ...none, status: "CREDITED", accountId: linked.account_id, reason: null };
    }
    return { ...none, status: "UNMATCHED", reason: "UNKNOWN_SENDER" };
  }

  /** Payments naming an open request that never reached the treasury's NEURO account. */
  async #misdirected(): Promise<number> {
    const em = this.#opts.orm.em.fork();
    const open = await em.execute<DepositRequestRow[]>(
      "select * from deposit_requests where status = 'PENDING' and expires_at > ? order by created_at",
      [this.#now()],
    );
    let recorded = 0;
    for (const request of open) {
      const reference = parseAddress(request.reference, "reference");
      const found = await this.#opts.chain.rpc.getSignaturesForAddress(reference, {
        limit: MISDIRECTED_LOOKUP_LIMIT,
      });
      const candidates = found.filter((s) => !s.err).map((s) => s.signature);
      if (candidates.length === 0) continue;
      const known = new Set(
        (
          await em.execute<{ signature: string }[]>(
            "select signature from chain_transfers where signature = any(?::text[])",
            [`{${candidates.map((s) => `"${s}"`).join(",")}}`],
          )
        ).map((r) => r.signature),
      );
      const unknown = candidates.filter((s) => !known.has(s));
      if (unknown.length === 0) continue;
      const statuses = await this.#opts.chain.rpc.getSignatureStatuses(unknown);
      for (const [i, signature] of unknown.entries()) {
        if (statuses[i]?.confirmationStatus !== "finalized") continue;
        const tx = await this.#opts.chain.rpc.getTransaction(signature);
        if (!tx) continue;
        const incoming = readIncomingTransfer(tx, this.#opts.chain);
        if (incoming.received !== 0n) continue; // the treasury scan judges it
        const verdict = validateRequestPayment(incoming, {
          reference,
          amount: BigInt(request.amount),
          memo: request.memo,
        });
        const done = await recordChainTransfer(em, {
          signature,
          slot: tx.slot,
          status: "UNMATCHED",
          amount: 0n,
          accountId: null,
          requestId: request.id,
          sender: incoming.senders[0] ?? null,
          reason: verdict.ok ? "WRONG_DESTINATION" : verdict.reason,
          legs: [],
          memo: "",
          now: this.#now(),
        });
        if (done) recorded++;
      }
    }
    return recorded;
  }

  async #expire(): Promise<number> {
    const now = this.#now();
    const rows = await this.#opts.orm.em
      .fork()
      .execute<DepositRequestRow[]>(
        "update deposit_requests set status = 'EXPIRED', settled_at = ? where status = 'PENDING' and expires_at < ? returning *",
        [now, now],
      );
    for (const row of rows) await this.#announce(row, "EXPIRED", undefined, now);
    return rows.length;
  }

  async #announce(
    request: DepositRequestRow,
    status: DepositEvent["status"],
    signature: string | undefined,
    at: Date,
    amount?: bigint,
  ): Promise<void> {
    await this.#opts.events
      ?.publish({
        requestId: request.id,
        accountId: request.account_id,
        reference: request.reference,
        status,
        amount: (amount ?? BigInt(request.amount)).toString(),
        signature,
        at: at.toISOString(),
      })
      .catch((err) => this.#opts.log?.(`deposits: announcing failed: ${String(err)}`));
  }
}
