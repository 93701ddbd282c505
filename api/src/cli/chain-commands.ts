import {
  createNeuroMint,
  formatNeuro,
  getNeuroBalance,
  loadTreasuryKey,
  mintNeuro,
  parseAddress,
  parseNeuro,
  Web3Rpc,
} from "@neurogrid/contracts";
import type { Command } from "commander";
import { defaultLog } from "../app.js";
import { openOrm } from "../db/orm.js";
import { chainFromConfig } from "../payouts/chain-from-config.js";
import { startPayoutsProcess } from "../payouts/payouts-process.js";
import { reconcileFromDb } from "../payouts/reconcile-from-db.js";
import { type CliContext, required } from "./cli-env.js";
import { cliProgress } from "./progress.js";
import { untilSignal } from "./signals.js";

/**
 * Operator commands that touch the chain:
 *   neurogrid token create-mint | mint <wallet> <amount> | balance <wallet>
 *   neurogrid payouts reconcile
 * RPC URL, mint and treasury keypair file from SOLANA_RPC_URL, NEURO_MINT and
 * NEUROGRID_TREASURY_KEYPAIR (or flags). The keypair's secret is never printed. The commands
 * that wait for the chain show their steps on stderr (progress.ts; none with --quiet or
 * --json); stdout gets only their result.
 */
const say = (line: string) => process.stdout.write(`${line}\n`);

export function registerChainCommands(program: Command, cli: CliContext): void {
  const { env } = cli;
  const terminal = { TERM: env.term };
  const token = program.command("token").description("the NEURO SPL token (operator)");
  const rpcOf = (o: { rpc?: string }) =>
    new Web3Rpc(required(o.rpc ?? env.solanaRpcUrl, "SOLANA_RPC_URL or --rpc"), { commitment: "confirmed" });
  const keyPath = (o: { treasury?: string }) =>
    required(o.treasury ?? env.treasuryKeyPath, "NEUROGRID_TREASURY_KEYPAIR or --treasury");
  const mintOf = (o: { mint?: string }) =>
    parseAddress(required(o.mint ?? env.neuroMint, "NEURO_MINT or --mint"), "NEURO mint");

  token
    .command("create-mint")
    .description("create the NEURO mint (9 decimals), the treasury as its authority")
    .option("--rpc <url>")
    .option("--treasury <keypair.json>")
    .action(async (o, command: Command) => {
      const progress = cliProgress("token create-mint", 2, command.optsWithGlobals(), terminal);
      const { mint, signature } = await progress.run(async () => {
        progress.step("loading the treasury key");
        const treasury = await loadTreasuryKey(keyPath(o));
        progress.step("creating the NEURO mint and waiting for confirmation");
        return createNeuroMint(rpcOf(o), treasury);
      });
      say(`mint ${mint.toBase58()} (signature ${signature}); set NEURO_MINT=${mint.toBase58()}`);
    });

  token
    .command("mint <wallet> <amount>")
    .description("mint NEURO (decimal amount) to a wallet")
    .option("--rpc <url>")
    .option("--treasury <keypair.json>")
    .option("--mint <address>")
    .action(async (wallet: string, amount: string, o, command: Command) => {
      const units = parseNeuro(amount);
      const progress = cliProgress("token mint", 2, command.optsWithGlobals(), terminal);
      const out = await progress.run(async () => {
        progress.step("loading the treasury key");
        const treasury = await loadTreasuryKey(keyPath(o));
        progress.step(`minting ${formatNeuro(units)} NEURO to ${wallet} and waiting for confirmation`);
        return mintNeuro(rpcOf(o), treasury, mintOf(o), parseAddress(wallet, "wallet"), units);
      });
      say(`done: token account ${out.tokenAccount.toBase58()} (signature ${out.signature})`);
    });

  token
    .command("balance <wallet>")
    .description("a wallet's NEURO balance")
    .option("--rpc <url>")
    .option("--mint <address>")
    .action(async (wallet: string, o) => {
      const units = await getNeuroBalance(rpcOf(o), mintOf(o), parseAddress(wallet, "wallet"));
      say(`${formatNeuro(units)} NEURO (${units} units)`);
    });

  const payouts = program.command("payouts").description("the payouts process and payout tools");
  payouts
    .command("run")
    .description(
      "run the payouts process: the one process with the treasury and hot wallet keys (NEUROGRID_TREASURY_KEYPAIR, NEUROGRID_HOT_WALLET_KEYPAIR, mode 0600)",
    )
    .action(async () => {
      const running = await startPayoutsProcess(cli.payoutsConfig(), defaultLog);
      say(`neurogrid payouts running: hot wallet ${running.chain.wallet.publicKey.toBase58()}`);
      await untilSignal();
      await running.close();
    });
  payouts
    .command("reconcile")
    .description("match confirmed payouts with on-chain transfers (by memo); exits 1 on a difference")
    .option("--database-url <url>")
    .option("--json", "print the report as JSON")
    .action(async (o, command: Command) => {
      const config = cli.apiConfig(
        { databaseUrl: o.databaseUrl },
        {
          redisUrl: "redis://unused",
          headAddress: "unused:0",
          jwtSecret: "unused-by-reconcile-unused-by-reconcile",
        },
      );
      const progress = cliProgress(
        "payouts reconcile",
        3,
        { json: Boolean(o.json), quiet: command.optsWithGlobals().quiet },
        terminal,
      );
      const report = await progress.run(
        async () => {
          progress.step("loading the chain settings");
          const chain = chainFromConfig(config);
          if (!chain) throw new Error("set SOLANA_RPC_URL, NEURO_MINT and NEUROGRID_TREASURY_ADDRESS");
          progress.step("connecting to the database");
          const orm = await openOrm(config.databaseUrl);
          try {
            progress.step(`matching confirmed payouts with transfers on ${config.solanaRpcUrl}`);
            const sender = chain.hotWallet ?? chain.treasury;
            return await reconcileFromDb(orm, { ...chain, wallet: { publicKey: sender } });
          } finally {
            await orm.close();
          }
        },
        (r) => `${r.payoutsChecked} payouts, ${r.differences.length} differences`,
      );
      if (o.json) say(JSON.stringify(report, (_k, v) => (typeof v === "bigint" ? v.toString() : v)));
      else if (report.differences.length === 0) {
        say(`no difference: ${report.payoutsChecked} payouts in ${report.transactionsChecked} transactions`);
      } else {
        for (const d of report.differences)
          say(`DIFFERENCE ${JSON.stringify(d, (_k, v) => (typeof v === "bigint" ? v.toString() : v))}`);
      }
      if (report.differences.length > 0) process.exitCode = 1;
    });
}
