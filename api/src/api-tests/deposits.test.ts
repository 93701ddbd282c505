/**
 * NEURO deposits through the api on a real in-process Solana runtime (LiteSVM): a client asks
 * for a Solana Pay transfer request, its wallet pays it, the watcher credits it once (run
 * again, restarted mid-run, two at once), wrong payments are never credited and are listed for
 * admins, a payment seen but not finalized waits, a linked wallet's plain transfer is credited,
 * and the treasury check holds — and fails, with an admin alert, on a planted difference.
 */

import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { type ChainTransaction, parseTransferRequest, type TransferRequest } from "@neurogrid/contracts";
import {
  type ChainFixture,
  createDepositChain,
  FaultyRpc,
  FinalityGate,
  fundedWallet,
  otherMint,
  payTransferRequest,
  SimulatedCrash,
} from "@neurogrid/contracts/testing";
import { Keypair } from "@solana/web3.js";
import { treasuryCheckOutput } from "../cli/treasury-command.js";
import { type DepositChain, DepositWatcher } from "../deposits/deposit-watcher.js";
import { balancesOf } from "../ledger/accounts.js";
import { checkLedger } from "../ledger/check.js";
import { collectSubscription, graphqlRequest } from "../testing/graphql-clients.js";
import { type InProcessApi, startInProcessApi } from "../testing/in-process-api.js";
import { linkWalletThroughApi } from "../testing/link-wallet.js";
import { checkTreasury } from "../treasury/treasury-check.js";
import { TreasuryCheckJob } from "../treasury/treasury-check-job.js";

const REQUEST =
  "mutation($a: TokenAmount!) { depositRequest(amount: $a) { id url reference amount memo expiresAt qrCode status } }";
const STATUS =
  "subscription($r: String!) { depositStatus(reference: $r) { requestId status amount signature } }";
const WATCH = "mutation { runDepositWatch { ran seen credited unmatched expired } }";

interface Requested {
  id: string;
  url: string;
  reference: string;
  expiresAt: string;
  qrCode: string;
  status: string;
}
interface StatusEvent {
  depositStatus: { status: string; amount: string; signature: string | null };
}

/** Crashes (the process "dies") on the n-th transaction read: a watcher stopped mid-run. */
class CrashOnRead extends FaultyRpc {
  #left: number;
  constructor(inner: ConstructorParameters<typeof FaultyRpc>[0], n: number) {
    super(inner);
    this.#left = n;
  }
  override async getTransaction(signature: string): Promise<ChainTransaction | null> {
    if (--this.#left === 0) throw new SimulatedCrash("watcher died mid-run");
    return super.getTransaction(signature);
  }
}

describe("deposits from the chain", () => {
  let t: InProcessApi;
  let fx: ChainFixture;
  let gate: FinalityGate;
  let chain: DepositChain;
  let admin: { key: string };
  let client: { id: string; key: string };
  let wallet: Keypair;
  let expectedBalance = 0n;

  before(async () => {
    fx = await createDepositChain();
    gate = new FinalityGate(fx.rpc);
    chain = { rpc: gate, treasury: fx.treasury.publicKey, mint: fx.mint };
    t = await startInProcessApi(
      { rateLimitBurst: 10_000 },
      {
        payoutChain: {
          rpc: gate,
          wallet: fx.treasury,
          treasury: fx.treasury.publicKey,
          mint: fx.mint,
          commitment: "finalized",
          pollIntervalMs: 0,
          settleTimeoutMs: 30_000,
        },
      },
    );
    admin = await t.account("treasurer", "admin");
    client = await t.account("alice", "client");
    wallet = await fundedWallet(fx, 1_000_000_000_000n);
  });
  after(async () => {
    await t?.stop();
  });

  async function request(amount: bigint, key = client.key): Promise<Requested & { parsed: TransferRequest }> {
    const res = await graphqlRequest<{ depositRequest: Requested }>(t.url, key, REQUEST, {
      a: amount.toString(),
    });
    assert.equal(res.errors, undefined, JSON.stringify(res.errors));
    const r = res.data?.depositRequest;
    assert.ok(r);
    return { ...r, parsed: parseTransferRequest(r.url) };
  }
  async function watch() {
    const res = await graphqlRequest<{
      runDepositWatch: { ran: boolean; seen: number; credited: number; unmatched: number; expired: number };
    }>(t.url, admin.key, WATCH);
    assert.equal(res.errors, undefined, JSON.stringify(res.errors));
    return res.data?.runDepositWatch;
  }
  const available = async () => (await balancesOf(t.orm.em.fork(), client.id)).available;
  const movements = async () => {
    const [row] = await t.orm.em
      .fork()
      .execute<{ n: string }[]>("select count(*) as n from ledger_transactions where kind = 'chain_deposit'");
    return Number(row?.n);
  };

  test("a paid request goes PENDING -> SEEN -> CREDITED with its signature, and is credited once", async () => {
    const r = await request(2_500_000_000n);
    assert.match(
      r.url,
      new RegExp(
        `^solana:${fx.treasury.publicKey.toBase58()}\\?amount=2\\.5&spl-token=${fx.mint.toBase58()}&reference=${r.reference}&label=NeuroGrid&memo=`,
      ),
    );
    assert.match(r.qrCode, /^data:image\/png;base64,/);
    assert.equal(r.status, "PENDING");
    assert.ok(new Date(r.expiresAt).getTime() > Date.now());
    let signature = "";
    const watched = collectSubscription<StatusEvent>(
      t.url,
      { authorization: `Bearer ${client.key}` },
      STATUS,
      { r: r.reference },
      30_000,
      (e) => {
        if (e.depositStatus.status !== "PENDING") return;
        void (async () => {
          signature = await payTransferRequest(fx.rpc, wallet, r.parsed);
          assert.deepEqual(await watch(), { ran: true, seen: 0, credited: 1, unmatched: 0, expired: 0 });
        })();
      },
    );
    const { events, errors } = await watched;
    assert.deepEqual(errors, []);
    assert.deepEqual(
      events.map((e) => e.depositStatus.status),
      ["PENDING", "SEEN", "CREDITED"],
    );
    assert.equal(events[2]?.depositStatus.signature, signature);
    assert.equal(events[2]?.depositStatus.amount, "2500000000");
    expectedBalance += 2_500_000_000n;
    assert.equal(await available(), expectedBalance);
    assert.deepEqual(await watch(), { ran: true, seen: 0, credited: 0, unmatched: 0, expired: 0 });
    assert.equal(await available(), expectedBalance, "the watcher run again credits nothing");
    assert.equal(await movements(), 1);
  });

  test("a watcher that dies mid-run, then two at once: every request credited exactly once", async () => {
    const requests = [];
    for (let i = 0; i < 6; i++) requests.push(await request(1_000_000_000n + BigInt(i)));
    for (const r of requests) await payTransferRequest(fx.rpc, wallet, r.parsed);
    const dying = new DepositWatcher({ orm: t.orm, chain: { ...chain, rpc: new CrashOnRead(gate, 3) } });
    await assert.rejects(dying.run(), SimulatedCrash);
    const partly = await available();
    assert.equal(partly, expectedBalance + 1_000_000_000n + 1_000_000_001n, "two credited before it died");
    const [a, b] = await Promise.all([
      new DepositWatcher({ orm: t.orm, chain }).run(),
      new DepositWatcher({ orm: t.orm, chain }).run(),
    ]);
    assert.equal((a?.credited ?? 0) + (b?.credited ?? 0), 4, JSON.stringify([a, b]));
    expectedBalance += requests.reduce((sum, _r, i) => sum + 1_000_000_000n + BigInt(i), 0n);
    assert.equal(await available(), expectedBalance);
    assert.deepEqual(await watch(), { ran: true, seen: 0, credited: 0, unmatched: 0, expired: 0 });
    assert.equal(await movements(), 7);
    assert.equal((await checkLedger(t.orm.em.fork())).ok, true);
  });

  test("underpaid, wrong mint, wrong destination, expired: never credited, listed for admins", async () => {
    const under = await request(3_000_000_000n);
    const wrongMint = await request(3_000_000_000n);
    const wrongDest = await request(3_000_000_000n);
    await payTransferRequest(fx.rpc, wallet, under.parsed, { amount: 2_999_999_999n });
    const other = await otherMint(fx);
    const holder = await fundedWallet(fx, 10_000_000_000n, other);
    await payTransferRequest(fx.rpc, holder, wrongMint.parsed, { mint: other.mint });
    await payTransferRequest(fx.rpc, wallet, wrongDest.parsed, { recipient: Keypair.generate().publicKey });
    assert.deepEqual(await watch(), { ran: true, seen: 0, credited: 0, unmatched: 3, expired: 0 });
    const late = await request(3_000_000_000n);
    await payTransferRequest(fx.rpc, wallet, late.parsed);
    const afterExpiry = new Date(new Date(late.expiresAt).getTime() + 1000);
    const expiredRun = await new DepositWatcher({ orm: t.orm, chain, now: () => afterExpiry }).run();
    assert.equal(expiredRun.credited, 0);
    assert.equal(expiredRun.unmatched, 1);
    assert.equal(await available(), expectedBalance, "none of them credited");
    const listed = await graphqlRequest<{
      unmatchedDeposits: { reason: string; amount: string; requestId: string }[];
    }>(t.url, admin.key, "{ unmatchedDeposits { signature reason amount sender requestId } }");
    const byRequest = new Map(listed.data?.unmatchedDeposits.map((u) => [u.requestId, u]));
    assert.equal(byRequest.get(under.id)?.reason, "UNDERPAID");
    assert.equal(byRequest.get(under.id)?.amount, "2999999999");
    assert.equal(byRequest.get(wrongMint.id)?.reason, "WRONG_MINT");
    assert.equal(byRequest.get(wrongDest.id)?.reason, "WRONG_DESTINATION");
    assert.equal(byRequest.get(late.id)?.reason, "EXPIRED");
    const { events } = await collectSubscription<StatusEvent>(
      t.url,
      { authorization: `Bearer ${client.key}` },
      STATUS,
      { r: late.reference },
    );
    assert.deepEqual(
      events.map((e) => e.depositStatus.status),
      ["EXPIRED"],
    );
  });

  test("a payment seen at confirmed is SEEN, not credited; once finalized it is credited", async () => {
    const r = await request(4_000_000_000n);
    const signature = await payTransferRequest(fx.rpc, wallet, r.parsed);
    gate.hold(signature);
    assert.deepEqual(await watch(), { ran: true, seen: 1, credited: 0, unmatched: 0, expired: 0 });
    assert.equal(await available(), expectedBalance, "not credited before finality");
    assert.deepEqual(await watch(), { ran: true, seen: 0, credited: 0, unmatched: 0, expired: 0 });
    const [row] = await t.orm.em
      .fork()
      .execute<{ status: string }[]>("select status from deposit_requests where id = ?", [r.id]);
    assert.equal(row?.status, "SEEN");
    gate.finalize(signature);
    assert.deepEqual(await watch(), { ran: true, seen: 0, credited: 1, unmatched: 0, expired: 0 });
    expectedBalance += 4_000_000_000n;
    assert.equal(await available(), expectedBalance);
  });

  test("a plain transfer from the client's linked wallet is credited; from a stranger it is not", async () => {
    await linkWalletThroughApi(t.url, client.key, wallet);
    const plain = {
      recipient: fx.treasury.publicKey,
      amount: 700_000_000n,
      splToken: fx.mint,
      reference: Keypair.generate().publicKey,
    };
    await payTransferRequest(fx.rpc, wallet, plain, { noReference: true });
    const stranger = await fundedWallet(fx, 5_000_000_000n);
    await payTransferRequest(fx.rpc, stranger, { ...plain, amount: 300_000_000n }, { noReference: true });
    assert.deepEqual(await watch(), { ran: true, seen: 0, credited: 1, unmatched: 1, expired: 0 });
    expectedBalance += 700_000_000n;
    assert.equal(await available(), expectedBalance);
    const listed = await graphqlRequest<{ unmatchedDeposits: { reason: string; sender: string }[] }>(
      t.url,
      admin.key,
      "{ unmatchedDeposits { reason sender } }",
    );
    assert.ok(
      listed.data?.unmatchedDeposits.some(
        (u) => u.reason === "UNKNOWN_SENDER" && u.sender === stranger.publicKey.toBase58(),
      ),
    );
  });

  test("the treasury check holds after all of it, and fails with an admin alert on a planted difference", async () => {
    const clean = await checkTreasury(t.orm, chain);
    assert.deepEqual(clean.differences, []);
    assert.equal(treasuryCheckOutput(clean, false).exitCode, 0);
    assert.equal(clean.ok, true);
    assert.ok(clean.onChain > 0n);
    assert.equal(clean.ledger.unmatched_deposits, 2_999_999_999n + 3_000_000_000n + 300_000_000n);
    const job = new TreasuryCheckJob(t.orm, chain, t.api.services.alerts, () => {});
    await t.orm.em
      .fork()
      .execute(
        "update ledger_accounts set balance = balance + 1 where kind = 'client_available' and owner_id = ?",
        [client.id],
      );
    const [credited] = await t.orm.em
      .fork()
      .execute<{ signature: string }[]>(
        "update chain_transfers set amount = amount + 5 where signature = (select signature from chain_transfers where status = 'CREDITED' order by signature limit 1) returning signature",
      );
    const planted = await job.run();
    assert.equal(planted.ok, false);
    const printed = treasuryCheckOutput(planted, false);
    assert.equal(printed.exitCode, 1, "`neurogrid treasury check` exits 1");
    assert.ok(printed.lines.some((l) => l.startsWith("DIFFERENCE") && l.includes("BALANCE_MISMATCH")));
    assert.deepEqual(planted.differences.map((d) => d.kind).sort(), [
      "BALANCE_MISMATCH",
      "DEPOSIT_NOT_ON_CHAIN",
    ]);
    assert.ok(
      planted.differences.some(
        (d) => d.kind === "DEPOSIT_NOT_ON_CHAIN" && d.signature === credited?.signature,
      ),
    );
    const alerts = await graphqlRequest<{
      alerts: { metric: string; level: string; resolvedAt: string | null }[];
    }>(t.url, admin.key, "{ alerts(openOnly: true) { metric level resolvedAt } }");
    assert.deepEqual(alerts.data?.alerts, [{ metric: "treasury", level: "critical", resolvedAt: null }]);
    await t.orm.em
      .fork()
      .execute(
        "update ledger_accounts set balance = balance - 1 where kind = 'client_available' and owner_id = ?",
        [client.id],
      );
    await t.orm.em
      .fork()
      .execute("update chain_transfers set amount = amount - 5 where signature = ?", [credited?.signature]);
    assert.equal((await job.run()).ok, true);
    const resolved = await graphqlRequest<{ alerts: unknown[] }>(
      t.url,
      admin.key,
      "{ alerts(openOnly: true) { id } }",
    );
    assert.deepEqual(resolved.data?.alerts, [], "a clean check resolves the alert");
  });
});
