/**
 * `npm run bench:deposits -- --json`: the deposit watcher over 1,000 paid Solana Pay requests on
 * the in-process chain (LiteSVM) and a real PostgreSQL (DATABASE_URL, a database of its own).
 *
 * Clients' wallets pay requests in rounds of ROUND; after each round the watcher runs once, as
 * its repeatable job would. Measured:
 *   creditedPerS     deposits credited per second of watcher run time (scan, read, validate,
 *                    one credit statement each)
 *   creditLagP50Ms   p50 time from a transfer's finalization (LiteSVM finalizes on execution) to
 *                    its credit's commit
 *   creditedTwice    requests with more than one credit movement (must be 0)
 *   missed           paid requests not credited at the end (must be 0)
 * With --json the last line is one JSON object. `--requests N` changes the count.
 */
import { performance } from "node:perf_hooks";
import { parseTransferRequest } from "@neurogrid/contracts";
import { createDepositChain, fundedWallet, payTransferRequest } from "@neurogrid/contracts/testing";
import { Account, Role } from "../db/entities/index.js";
import { migrate, openOrm } from "../db/orm.js";
import { createDepositRequest } from "../deposits/deposit-requests.js";
import { DepositWatcher } from "../deposits/deposit-watcher.js";
import { createTestDatabase } from "../testing/test-database.js";

const args = process.argv.slice(2);
const json = args.includes("--json");
const countArg = args.indexOf("--requests");
const REQUESTS = countArg >= 0 ? Number(args[countArg + 1]) : 1000;
const ROUND = 50;
const CLIENTS = 10;
const REQUEST_TTL_MS = 15 * 60_000;

const say = (line: string) => {
  if (!json) process.stdout.write(`${line}\n`);
};

async function main(): Promise<void> {
  const db = await createTestDatabase();
  const orm = await openOrm(db.url);
  try {
    await migrate(orm);
    const fx = await createDepositChain();
    const chain = { rpc: fx.rpc, treasury: fx.treasury.publicKey, mint: fx.mint };
    const em = orm.em.fork();
    const clients = Array.from({ length: CLIENTS }, (_, i) =>
      em.create(Account, { name: `c${i}`, role: Role.CLIENT }),
    );
    await em.persist(clients).flush();
    const wallets = [];
    for (let i = 0; i < CLIENTS; i++) wallets.push(await fundedWallet(fx, 10n ** 15n));
    say(`${REQUESTS} requests from ${CLIENTS} clients, paid in rounds of ${ROUND}`);
    const requests = [];
    for (let i = 0; i < REQUESTS; i++) {
      const client = clients[i % CLIENTS] as Account;
      const made = await createDepositRequest(orm.em.fork(), client.id, 1_000_000n + BigInt(i), {
        ...chain,
        label: "bench",
        ttlMs: REQUEST_TTL_MS,
        now: new Date(),
        withoutQrCode: true,
      });
      requests.push({ url: made.url, wallet: wallets[i % CLIENTS] });
    }
    const watcher = new DepositWatcher({ orm, chain });
    const paidAt = new Map<string, number>();
    let watchMs = 0;
    let credited = 0;
    for (let start = 0; start < REQUESTS; start += ROUND) {
      for (const r of requests.slice(start, start + ROUND)) {
        if (!r.wallet) continue;
        const signature = await payTransferRequest(fx.rpc, r.wallet, parseTransferRequest(r.url));
        paidAt.set(signature, Date.now());
      }
      const t0 = performance.now();
      credited += (await watcher.run()).credited;
      watchMs += performance.now() - t0;
    }
    credited += (await watcher.run()).credited; // anything left behind would be picked up here
    const rows = await orm.em
      .fork()
      .execute<{ signature: string; settled_at: Date }[]>(
        "select signature, settled_at from chain_transfers where status = 'CREDITED'",
      );
    const lags = rows
      .map((r) => new Date(r.settled_at).getTime() - (paidAt.get(r.signature) ?? Number.NaN))
      .filter((l) => Number.isFinite(l))
      .sort((a, b) => a - b);
    const [twice] = await orm.em.fork().execute<{ n: string }[]>(
      `select count(*) as n from (select request_id from chain_transfers where status = 'CREDITED' and request_id is not null
         group by request_id having count(*) > 1) x`,
    );
    const [missed] = await orm.em
      .fork()
      .execute<{ n: string }[]>("select count(*) as n from deposit_requests where status <> 'CREDITED'");
    const result = {
      requests: REQUESTS,
      credited,
      creditedPerS: Math.round((credited / watchMs) * 1000),
      creditLagP50Ms: lags[Math.floor(lags.length / 2)] ?? null,
      creditedTwice: Number(twice?.n ?? 0),
      missed: Number(missed?.n ?? 0),
    };
    say(`credited ${credited} in ${Math.round(watchMs)} ms of watcher time`);
    process.stdout.write(`${JSON.stringify(result)}\n`);
  } finally {
    await orm.close();
    await db.drop();
  }
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    process.stderr.write(`${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    process.exit(1);
  },
);
