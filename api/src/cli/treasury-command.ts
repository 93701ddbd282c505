import type { Command } from "commander";
import { openOrm } from "../db/orm.js";
import { chainFromConfig } from "../payouts/chain-from-config.js";
import { checkTreasury, type TreasuryReport } from "../treasury/treasury-check.js";
import type { CliContext } from "./cli-env.js";

/**
 * `neurogrid treasury check`: the treasury's NEURO on chain against the ledger, every credited
 * deposit against its finalized transfer, every transfer to the treasury against the records
 * (treasury/treasury-check.ts). Exits 1 with the differences when they do not agree.
 */
const say = (line: string) => process.stdout.write(`${line}\n`);
const json = (v: unknown) => JSON.stringify(v, (_k, x) => (typeof x === "bigint" ? x.toString() : x));

/** What the command prints for a report, and its exit code (1: the treasury does not reconcile). */
export function treasuryCheckOutput(
  report: TreasuryReport,
  asJson: boolean,
): { lines: string[]; exitCode: number } {
  const exitCode = report.ok ? 0 : 1;
  if (asJson) return { lines: [json(report)], exitCode };
  if (report.ok) {
    return {
      lines: [
        `treasury reconciled: ${report.onChain} units on chain = ledger; ${report.depositsChecked} deposits matched, ${report.transactionsScanned} transactions scanned`,
      ],
      exitCode,
    };
  }
  return { lines: report.differences.map((d) => `DIFFERENCE ${json(d)}`), exitCode };
}

export function registerTreasuryCommands(program: Command, cli: CliContext): void {
  program
    .command("treasury")
    .description("treasury tools")
    .command("check")
    .description(
      "reconcile the treasury's on-chain NEURO with the ledger and the deposits; exits 1 on a difference",
    )
    .option("--database-url <url>")
    .option("--json", "print the report as one JSON object")
    .action(async (o) => {
      const config = cli.apiConfig(
        { databaseUrl: o.databaseUrl },
        {
          redisUrl: "redis://unused",
          headAddress: "unused:0",
          jwtSecret: "unused-by-treasury-check-unused-unused",
        },
      );
      const chain = chainFromConfig(config);
      if (!chain) throw new Error("set SOLANA_RPC_URL, NEURO_MINT and NEUROGRID_TREASURY_ADDRESS");
      const orm = await openOrm(config.databaseUrl);
      const report = await checkTreasury(orm, chain).finally(() => orm.close());
      const out = treasuryCheckOutput(report, Boolean(o.json));
      for (const line of out.lines) say(line);
      process.exitCode = out.exitCode;
    });
}
