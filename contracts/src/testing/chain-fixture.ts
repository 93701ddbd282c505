/**
 * A funded chain for tests and the benchmark: a LiteSVM runtime behind LiteSvmRpc, a treasury
 * with SOL for fees, the NEURO mint, and a treasury token account holding `treasuryTokens`.
 * Confirmation never waits (poll interval 0: LiteSVM executes a send synchronously).
 */
import type { PublicKey } from "@solana/web3.js";
import { LiteSvmRpc } from "../solana/litesvm-rpc.js";
import { createNeuroMint, mintNeuro } from "../token/neuro-token.js";
import { TreasuryKey } from "../token/treasury-key.js";

export interface ChainFixture {
  rpc: LiteSvmRpc;
  treasury: TreasuryKey;
  mint: PublicKey;
  treasuryTokenAccount: PublicKey;
}

export const NO_WAIT = { pollIntervalMs: 0 } as const;

export async function createChainFixture(
  options: { treasuryTokens?: bigint; treasuryLamports?: bigint } = {},
): Promise<ChainFixture> {
  const rpc = new LiteSvmRpc();
  const treasury = TreasuryKey.generate();
  await rpc.requestAirdrop(treasury.publicKey, options.treasuryLamports ?? 1_000_000_000_000n);
  const { mint } = await createNeuroMint(rpc, treasury, NO_WAIT);
  const { tokenAccount } = await mintNeuro(
    rpc,
    treasury,
    mint,
    treasury.publicKey,
    options.treasuryTokens ?? 10n ** 18n,
    NO_WAIT,
  );
  return { rpc, treasury, mint, treasuryTokenAccount: tokenAccount };
}
