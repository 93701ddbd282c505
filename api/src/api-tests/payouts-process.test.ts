/**
 * Payouts signed in a process of their own: an api configured for the chain loads no key and
 * only records; the admin's runPayouts is queued to the payouts process (here in this test
 * process, over real PostgreSQL and Redis, on LiteSVM), which tops the hot payout wallet up from
 * the treasury, never above its cap, and pays from it. `neurogrid payouts run`, as a child
 * process, refuses a key file that others may read.
 */
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { chmod, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { promisify } from "node:util";
import { getNeuroBalance, TreasuryKey } from "@neurogrid/contracts";
import { type ChainFixture, createChainFixture } from "@neurogrid/contracts/testing";
import { Keypair } from "@solana/web3.js";
import { startNodeChild } from "../cli/child-process.js";
import { LedgerTxKind } from "../db/entities/index.js";
import { externalAccount, providerEarningsAccount } from "../ledger/accounts.js";
import { post } from "../ledger/ledger.js";
import { payoutsConfigFrom } from "../payouts/payouts-config.js";
import { type PayoutsProcess, startPayoutsProcess } from "../payouts/payouts-process.js";
import { graphqlRequest } from "../testing/graphql-clients.js";
import { type InProcessApi, startInProcessApi } from "../testing/in-process-api.js";
import { linkWalletThroughApi } from "../testing/link-wallet.js";
import { CLI } from "../testing/local-cluster.js";
import { testRedisUrl } from "../testing/test-database.js";

const NEURO = 1_000_000_000n;
const RUN = "mutation { runPayouts { ran created confirmed failed pending } }";

describe("the payouts process", () => {
  let fx: ChainFixture;
  let hot: TreasuryKey;
  let t: InProcessApi;
  let payouts: PayoutsProcess;
  let admin: string;
  let dir: string;

  const env = (extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv => ({
    DATABASE_URL: t.db.url,
    REDIS_URL: testRedisUrl(),
    NEUROGRID_REDIS_PREFIX: t.api.services.config.redisPrefix,
    SOLANA_RPC_URL: "http://127.0.0.1:1",
    NEURO_MINT: fx.mint.toBase58(),
    SOLANA_COMMITMENT: "confirmed",
    NEUROGRID_TREASURY_KEYPAIR: join(dir, "treasury.json"),
    NEUROGRID_HOT_WALLET_KEYPAIR: join(dir, "hot.json"),
    NEUROGRID_HOT_WALLET_CAP: "5",
    NEUROGRID_PAYOUT_THRESHOLD: "0.5",
    NEUROGRID_PAYOUT_POLL_INTERVAL_MS: "1",
    NEUROGRID_PAYOUT_SETTLE_TIMEOUT_MS: "30000",
    ...extra,
  });

  async function provider(name: string, earned: bigint): Promise<Keypair> {
    const p = await t.account(name, "provider");
    const wallet = Keypair.generate();
    await linkWalletThroughApi(t.url, p.key, wallet);
    await t.orm.em.fork().transactional(async (tx) =>
      post(tx, {
        kind: LedgerTxKind.DEPOSIT,
        memo: "test earnings",
        legs: [
          { accountId: await externalAccount(tx), amount: -earned },
          { accountId: await providerEarningsAccount(tx, p.id), amount: earned },
        ],
      }),
    );
    return wallet;
  }

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), "payouts-process-"));
    fx = await createChainFixture();
    hot = TreasuryKey.generate();
    await fx.rpc.requestAirdrop(hot.publicKey, 10_000_000_000n);
    // The api knows the chain by addresses only (its RPC is never reached in this test).
    t = await startInProcessApi({
      solanaRpcUrl: "http://127.0.0.1:1",
      neuroMint: fx.mint.toBase58(),
      treasuryAddress: fx.treasury.publicKey.toBase58(),
      hotWalletAddress: hot.publicKey.toBase58(),
      publicDomain: "payouts.neurogrid.example",
      faucet: false,
      payoutThreshold: "0.5",
      rateLimitBurst: 10_000,
    });
    admin = (await t.account("payouts-admin", "admin")).key;
    payouts = await startPayoutsProcess(payoutsConfigFrom(env()), () => {}, {
      rpc: fx.rpc,
      treasuryKey: fx.treasury,
      hotWallet: hot,
      mint: fx.mint,
    });
  });

  after(async () => {
    await payouts?.close();
    await t?.stop();
    await rm(dir, { recursive: true, force: true });
  });

  test("the api signs nothing: runPayouts is run by the payouts process, from the hot wallet", async () => {
    assert.equal(t.payouts, undefined, "the api was started with addresses only, no signer");
    const a = await provider("hot-a", 1n * NEURO);
    const b = await provider("hot-b", 3n * NEURO);
    const treasuryBefore = await getNeuroBalance(fx.rpc, fx.mint, fx.treasury.publicKey);

    const run = await graphqlRequest<{ runPayouts: Record<string, unknown> }>(t.url, admin, RUN);
    assert.equal(run.errors, undefined, JSON.stringify(run.errors));
    assert.deepEqual(run.data?.runPayouts, { ran: true, created: 2, confirmed: 2, failed: 0, pending: 0 });
    assert.equal(await getNeuroBalance(fx.rpc, fx.mint, a.publicKey), 1n * NEURO);
    assert.equal(await getNeuroBalance(fx.rpc, fx.mint, b.publicKey), 3n * NEURO);
    assert.equal(
      await getNeuroBalance(fx.rpc, fx.mint, fx.treasury.publicKey),
      treasuryBefore - 4n * NEURO,
      "the treasury lost exactly what the hot wallet paid",
    );
    assert.equal(await getNeuroBalance(fx.rpc, fx.mint, hot.publicKey), 0n, "topped up to the need only");
  });

  test("payouts beyond the cap wait; the hot wallet never holds more than the cap", async () => {
    const c = await provider("hot-c", 20n * NEURO);
    const run = await graphqlRequest<{ runPayouts: Record<string, unknown> }>(t.url, admin, RUN);
    assert.equal(run.errors, undefined, JSON.stringify(run.errors));
    assert.deepEqual(
      run.data?.runPayouts,
      { ran: true, created: 1, confirmed: 0, failed: 0, pending: 1 },
      "20 NEURO does not fit a 5 NEURO hot wallet: it waits",
    );
    assert.equal(await getNeuroBalance(fx.rpc, fx.mint, hot.publicKey), 5n * NEURO, "topped up to the cap");
    assert.equal(await getNeuroBalance(fx.rpc, fx.mint, c.publicKey), 0n);
    const [row] = await t.orm.em
      .fork()
      .execute<{ status: string }[]>("select status from payouts where amount = ?", [
        (20n * NEURO).toString(),
      ]);
    assert.equal(row?.status, "PENDING", "it waits for a larger cap or a manual transfer, paid once");
  });

  test("`neurogrid payouts run` refuses a key file others may read, and runs with 0600 ones", async () => {
    const treasuryFile = join(dir, "treasury.json");
    await writeFile(treasuryFile, TreasuryKey.generate().toKeypairFileContents());
    await chmod(treasuryFile, 0o644);
    await writeFile(join(dir, "hot.json"), hot.toKeypairFileContents(), { mode: 0o600 });
    const processEnv = { ...process.env, ...env() };
    const refused = await promisify(execFile)(process.execPath, [CLI, "payouts", "run"], {
      env: processEnv,
    }).then(
      () => undefined,
      (err: { code?: number; stderr?: string }) => err,
    );
    assert.equal(refused?.code, 1, "the process does not start");
    assert.match(refused?.stderr ?? "", /treasury\.json is readable by others \(mode 644\): chmod 600 it/);

    await chmod(treasuryFile, 0o600);
    const { child, match } = await startNodeChild({
      name: "payouts",
      script: CLI,
      args: ["payouts", "run"],
      ready: /payouts running: hot wallet (\S+)/,
      env: processEnv,
    });
    try {
      assert.equal(match[1], hot.publicKey.toBase58());
    } finally {
      await child.stop();
    }
  });
});
