/**
 * Provider stakes through the api: earnings into the stake, out through a cooling-off period
 * and back to earnings once it has passed (once), every move balanced, the treasury check
 * counting stakes as held for providers.
 */

import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { createDepositChain } from "@neurogrid/contracts/testing";
import { LedgerTxKind } from "../db/entities/index.js";
import { balancesOf, externalAccount, providerEarningsAccount } from "../ledger/accounts.js";
import { checkLedger } from "../ledger/check.js";
import { post } from "../ledger/ledger.js";
import { errorCode, graphqlRequest } from "../testing/graphql-clients.js";
import { type InProcessApi, startInProcessApi } from "../testing/in-process-api.js";
import { checkTreasury } from "../treasury/treasury-check.js";

const NEURO = 1_000_000_000n;
const COOLING_MS = 60_000;
const STAKE = "mutation($a: TokenAmount!) { stakeEarnings(amount: $a) { staked cooling } }";
const UNSTAKE = "mutation($a: TokenAmount!) { unstake(amount: $a) { staked cooling nextReleaseAt } }";

describe("provider stakes", () => {
  let t: InProcessApi;
  let fx: Awaited<ReturnType<typeof createDepositChain>>;
  let provider: { id: string; key: string };

  before(async () => {
    fx = await createDepositChain();
    t = await startInProcessApi(
      { stakeCoolingOffMs: COOLING_MS },
      {
        payoutChain: {
          rpc: fx.rpc,
          wallet: fx.treasury,
          treasury: fx.treasury.publicKey,
          mint: fx.mint,
          commitment: "finalized",
          pollIntervalMs: 0,
          settleTimeoutMs: 30_000,
        },
      },
    );
    provider = await t.account("staker", "provider");
    await t.orm.em.fork().transactional(async (tx) =>
      post(tx, {
        kind: LedgerTxKind.DEPOSIT,
        memo: "test earnings",
        legs: [
          { accountId: await externalAccount(tx), amount: -5n * NEURO },
          { accountId: await providerEarningsAccount(tx, provider.id), amount: 5n * NEURO },
        ],
      }),
    );
  });
  after(async () => {
    await t?.stop();
  });

  const earnings = async () => (await balancesOf(t.orm.em.fork(), provider.id)).earnings;
  const treasuryDifferences = async () =>
    (await checkTreasury(t.orm, { rpc: fx.rpc, treasury: fx.treasury.publicKey, mint: fx.mint })).differences;

  test("earnings into the stake, out through cooling-off, back to earnings once", async () => {
    const staked = await graphqlRequest<{ stakeEarnings: { staked: string } }>(t.url, provider.key, STAKE, {
      a: (3n * NEURO).toString(),
    });
    assert.equal(staked.errors, undefined, JSON.stringify(staked.errors));
    assert.deepEqual(staked.data?.stakeEarnings, { staked: (3n * NEURO).toString(), cooling: "0" });
    assert.equal(await earnings(), 2n * NEURO);
    const over = await graphqlRequest(t.url, provider.key, STAKE, { a: (10n * NEURO).toString() });
    assert.equal(errorCode(over), "INSUFFICIENT_FUNDS");
    assert.equal(await earnings(), 2n * NEURO, "a refused stake moves nothing");

    const before = Date.now();
    const unstaked = await graphqlRequest<{
      unstake: { staked: string; cooling: string; nextReleaseAt: string };
    }>(t.url, provider.key, UNSTAKE, { a: NEURO.toString() });
    assert.equal(unstaked.errors, undefined, JSON.stringify(unstaked.errors));
    assert.equal(unstaked.data?.unstake.staked, (2n * NEURO).toString());
    assert.equal(unstaked.data?.unstake.cooling, NEURO.toString());
    const releaseAt = Date.parse(unstaked.data?.unstake.nextReleaseAt ?? "");
    assert.ok(releaseAt >= before + COOLING_MS && releaseAt <= Date.now() + COOLING_MS);
    assert.equal(
      errorCode(await graphqlRequest(t.url, provider.key, UNSTAKE, { a: (5n * NEURO).toString() })),
      "INSUFFICIENT_FUNDS",
    );

    const stakes = t.api.services.stakes;
    assert.ok(stakes);
    assert.equal(
      await stakes.releaseDue(new Date(releaseAt - 1)),
      0,
      "not before the cooling-off has passed",
    );
    assert.equal(await earnings(), 2n * NEURO);
    const [first, second] = await Promise.all([
      stakes.releaseDue(new Date(releaseAt)),
      stakes.releaseDue(new Date(releaseAt)),
    ]);
    assert.equal((first ?? 0) + (second ?? 0), 1, "released once, whoever runs it");
    assert.equal(await earnings(), 3n * NEURO);
    const read = await graphqlRequest<{ stake: { staked: string; cooling: string } }>(
      t.url,
      provider.key,
      "{ stake { staked cooling } }",
    );
    assert.deepEqual(read.data?.stake, { staked: (2n * NEURO).toString(), cooling: "0" });
    assert.equal((await checkLedger(t.orm.em.fork())).ok, true);
    assert.deepEqual(
      await treasuryDifferences(),
      [],
      "stakes are held for providers, off-chain earnings excluded",
    );
  });
});

describe("a minimum stake for paid work", () => {
  let t: InProcessApi;

  before(async () => {
    const fx = await createDepositChain();
    t = await startInProcessApi(
      { minProviderStake: "2" },
      {
        payoutChain: {
          rpc: fx.rpc,
          wallet: fx.treasury,
          treasury: fx.treasury.publicKey,
          mint: fx.mint,
          commitment: "finalized",
          pollIntervalMs: 0,
          settleTimeoutMs: 30_000,
        },
      },
    );
  });
  after(async () => {
    await t?.stop();
  });

  test("a node is registered only with the stake, and the stake stays while the node does", async () => {
    const provider = await t.account("small", "provider");
    await t.orm.em.fork().transactional(async (tx) =>
      post(tx, {
        kind: LedgerTxKind.DEPOSIT,
        memo: "test earnings",
        legs: [
          { accountId: await externalAccount(tx), amount: -3n * NEURO },
          { accountId: await providerEarningsAccount(tx, provider.id), amount: 3n * NEURO },
        ],
      }),
    );
    const REGISTER = 'mutation { registerNode(input: { name: "rig" }) { nodeToken } }';
    const unstaked = await graphqlRequest(t.url, provider.key, REGISTER);
    assert.equal(errorCode(unstaked), "CONFLICT", JSON.stringify(unstaked.errors));
    await graphqlRequest(t.url, provider.key, STAKE, { a: (3n * NEURO).toString() });
    const registered = await graphqlRequest<{ registerNode: { nodeToken: string } }>(
      t.url,
      provider.key,
      REGISTER,
    );
    assert.equal(registered.errors, undefined, JSON.stringify(registered.errors));
    assert.equal(
      errorCode(await graphqlRequest(t.url, provider.key, UNSTAKE, { a: (2n * NEURO).toString() })),
      "CONFLICT",
    );
    const down = await graphqlRequest(t.url, provider.key, UNSTAKE, { a: NEURO.toString() });
    assert.equal(down.errors, undefined, "down to the minimum is allowed");
  });
});
