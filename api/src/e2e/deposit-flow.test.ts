/**
 * Money in, work, money out — end to end through the public API: a client asks for a Solana Pay
 * transfer request, pays it from its wallet on the chain (LiteSVM, in this process), hears
 * depositStatus reach CREDITED (the api's scheduled deposit watcher), pays a task from that
 * balance (a real head and worker run it), its share released to the provider once its
 * verification window is over, the provider stakes part of its earnings and is paid
 * the rest on chain to its linked wallet, the client withdraws part of its balance to its own
 * linked wallet — and the treasury check holds after all of it, and fails on a planted
 * difference (the mixed run).
 */

import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { getNeuroBalance, parseTransferRequest } from "@neurogrid/contracts";
import { createDepositChain, fundedWallet, payTransferRequest } from "@neurogrid/contracts/testing";
import { Keypair } from "@solana/web3.js";
import type { Child } from "../cli/child-process.js";
import { Node } from "../db/entities/index.js";
import { balancesOf } from "../ledger/accounts.js";
import { checkLedger } from "../ledger/check.js";
import { collectSubscription, graphqlRequest } from "../testing/graphql-clients.js";
import { type InProcessApi, startInProcessApi } from "../testing/in-process-api.js";
import { linkWalletThroughApi } from "../testing/link-wallet.js";
import { startHead, startWorker } from "../testing/local-cluster.js";
import { checkTreasury } from "../treasury/treasury-check.js";
import { VerificationStore } from "../verification/verification-store.js";
import { WithdrawalRunner } from "../withdrawals/withdrawal-runner.js";

const NODE = "deposit-e2e-worker";

describe("deposit -> task -> payout, end to end", () => {
  const children: Child[] = [];
  let t: InProcessApi;
  let fx: Awaited<ReturnType<typeof createDepositChain>>;

  before(async () => {
    fx = await createDepositChain();
    const head = await startHead(["--heartbeat-timeout-ms", "5000"]);
    children.push(head.child);
    children.push(await startWorker(head.address, NODE));
    t = await startInProcessApi(
      {
        dispatcher: true,
        headAddress: head.address,
        depositWatchIntervalMs: 200,
        payoutThreshold: "0.000000001",
        // The scheduled payout run fires once at start (nothing earned yet); the test runs the next.
        payoutIntervalMs: 3_600_000,
        rateLimitBurst: 10_000,
      },
      { payoutChain: chainOf(fx) },
    );
  });
  after(async () => {
    await t?.stop();
    for (const child of children.reverse()) await child.stop();
  });

  test("deposit, task, stake, payout and withdrawal: the treasury reconciles, and a planted difference is found", async () => {
    const client = await t.account("payer", "client");
    const provider = await t.account("gpu-owner", "provider");
    const admin = await t.account("ops", "admin");
    const em = t.orm.em.fork();
    em.persist(em.create(Node, { id: NODE, provider: provider.id }));
    await em.flush();

    const providerWallet = Keypair.generate();
    await linkWalletThroughApi(t.url, provider.key, providerWallet);

    const asked = await graphqlRequest<{ depositRequest: { url: string; reference: string } }>(
      t.url,
      client.key,
      "mutation($a: TokenAmount!) { depositRequest(amount: $a) { url reference } }",
      { a: "5000000" },
    );
    assert.equal(asked.errors, undefined, JSON.stringify(asked.errors));
    const { url, reference } = asked.data?.depositRequest ?? { url: "", reference: "" };
    const wallet = await fundedWallet(fx, 1_000_000_000n);
    let paid = "";
    const status = await collectSubscription<{ depositStatus: { status: string; signature: string | null } }>(
      t.url,
      { authorization: `Bearer ${client.key}` },
      "subscription($r: String!) { depositStatus(reference: $r) { status signature } }",
      { r: reference },
      30_000,
      (e) => {
        if (e.depositStatus.status === "PENDING") {
          void payTransferRequest(fx.rpc, wallet, parseTransferRequest(url)).then((s) => {
            paid = s;
          });
        }
      },
    );
    assert.deepEqual(status.errors, []);
    assert.deepEqual(
      status.events.map((e) => e.depositStatus.status),
      ["PENDING", "SEEN", "CREDITED"],
    );
    assert.equal(status.events.at(-1)?.depositStatus.signature, paid);
    assert.equal((await balancesOf(t.orm.em.fork(), client.id)).available, 5_000_000n);

    const submitted = await graphqlRequest<{ submitTask: { id: string } }>(
      t.url,
      client.key,
      "mutation($input: SubmitTaskInput!) { submitTask(input: $input) { id status } }",
      { input: { model: "mlp-classifier", input: { features: [Array.from({ length: 16 }, () => 0.25)] } } },
    );
    assert.equal(submitted.errors, undefined, JSON.stringify(submitted.errors));
    const progress = await collectSubscription<{ taskProgress: { status: string } }>(
      t.url,
      { authorization: `Bearer ${client.key}` },
      "subscription($id: ID!) { taskProgress(taskId: $id) { status } }",
      { id: submitted.data?.submitTask.id },
    );
    assert.equal(progress.events.at(-1)?.taskProgress.status, "COMPLETED", JSON.stringify(progress));
    // Its share is pending until the verification window passes: the sweep's release, its window
    // over now (a window of 0).
    const release = new VerificationStore({
      em: t.orm.em.fork(),
      events: { publish: async () => {} },
      now: () => new Date(),
    });
    assert.equal(await release.releaseDue(new Date()), 1);
    const earnedInAll = (await balancesOf(t.orm.em.fork(), provider.id)).earnings;
    assert.ok(earnedInAll > 1n, "the provider earned from the task");
    // The provider stakes half of its earnings; the rest is paid out.
    const stake = earnedInAll / 2n;
    const staked = await graphqlRequest(
      t.url,
      provider.key,
      "mutation($a: TokenAmount!) { stakeEarnings(amount: $a) { staked } }",
      { a: stake.toString() },
    );
    assert.equal(staked.errors, undefined, JSON.stringify(staked.errors));
    const earned = earnedInAll - stake;

    const run = await graphqlRequest<{ runPayouts: { ran: boolean; confirmed: number } }>(
      t.url,
      admin.key,
      "mutation { runPayouts { ran confirmed } }",
    );
    assert.equal(run.errors, undefined, JSON.stringify(run.errors));
    const payouts = await graphqlRequest<{
      payouts: { edges: { node: { status: string; amount: string } }[] };
    }>(t.url, provider.key, "{ payouts { edges { node { status amount } } } }");
    assert.deepEqual(
      payouts.data?.payouts.edges.map((e) => e.node),
      [{ status: "CONFIRMED", amount: earned.toString() }],
      JSON.stringify(run),
    );
    assert.equal(await getNeuroBalance(fx.rpc, fx.mint, providerWallet.publicKey), earned, "paid on chain");

    // The client withdraws 1,000,000 units to the wallet it paid from (linked first).
    await linkWalletThroughApi(t.url, client.key, wallet);
    const before = await getNeuroBalance(fx.rpc, fx.mint, wallet.publicKey);
    const withdrawn = 1_000_000n;
    const asked2 = await graphqlRequest(
      t.url,
      client.key,
      "mutation($a: TokenAmount!) { withdraw(amount: $a) { id status } }",
      { a: withdrawn.toString() },
    );
    assert.equal(asked2.errors, undefined, JSON.stringify(asked2.errors));
    assert.deepEqual(await new WithdrawalRunner(t.orm, chainOf(fx)).run(), {
      ran: true,
      confirmed: 1,
      failed: 0,
      pending: 0,
    });
    assert.equal(
      await getNeuroBalance(fx.rpc, fx.mint, wallet.publicKey),
      before + withdrawn,
      "withdrawn on chain",
    );

    const report = await checkTreasury(t.orm, {
      rpc: fx.rpc,
      treasury: fx.treasury.publicKey,
      mint: fx.mint,
    });
    assert.deepEqual(report.differences, []);
    assert.equal(
      report.onChain,
      5_000_000n - earned - withdrawn,
      "the treasury holds the deposit less the payout and the withdrawal (the stake stays in it)",
    );
    assert.equal((await checkLedger(t.orm.em.fork())).ok, true);

    // A planted difference: a client balance that no NEURO on chain backs.
    await t.orm.em
      .fork()
      .execute(
        "update ledger_accounts set balance = balance + 7 where kind = 'client_available' and owner_id = ?",
        [client.id],
      );
    const planted = await checkTreasury(t.orm, {
      rpc: fx.rpc,
      treasury: fx.treasury.publicKey,
      mint: fx.mint,
    });
    assert.deepEqual(
      planted.differences.map((d) => d.kind),
      ["BALANCE_MISMATCH"],
    );
  });
});

/** The payout chain of the test's LiteSVM fixture (finalized, no polling delay). */
function chainOf(fx: Awaited<ReturnType<typeof createDepositChain>>) {
  return {
    rpc: fx.rpc,
    wallet: fx.treasury,
    treasury: fx.treasury.publicKey,
    mint: fx.mint,
    commitment: "finalized" as const,
    pollIntervalMs: 0,
    settleTimeoutMs: 30_000,
  };
}
