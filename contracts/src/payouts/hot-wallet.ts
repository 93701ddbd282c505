/**
 * The hot payout wallet: payouts and withdrawals are signed by it and sent from its NEURO token
 * account, never by the treasury (the mint authority, holder of the platform's NEURO). It holds
 * only what the next payouts need: before they are sent it is topped up from the treasury's
 * token account by one explicit transfer, signed by the treasury, of
 *
 *   min(needed, cap) - balance      (nothing when the balance already covers that)
 *
 * so a top-up never leaves more than `cap` in it, whatever is asked. Payouts beyond the cap wait
 * for later top-ups; a leaked hot wallet key loses at most the cap. The treasury key is used only
 * here; the sender (payout-sender.ts) is given the hot wallet alone.
 *
 * Not idempotent on its own: a top-up whose outcome is unknown (TX_EXPIRED after a send) is not
 * repeated blindly: the next call reads the balance first and tops up only the difference.
 */
import {
  createAssociatedTokenAccountIdempotentInstruction,
  createTransferCheckedInstruction,
} from "@solana/spl-token";
import type { PublicKey } from "@solana/web3.js";
import { ContractsError } from "../errors.js";
import { NEURO_DECIMALS, UNITS_PER_NEURO } from "../neuro-amount.js";
import { type ConfirmOptions, sendInstructions } from "../solana/send-and-confirm.js";
import type { SolanaRpc } from "../solana/solana-rpc.js";
import { getNeuroBalance, tokenAccountOf } from "../token/neuro-token.js";
import type { TreasuryKey } from "../token/treasury-key.js";

/** The most the hot wallet holds after a top-up unless configured otherwise: 10,000 NEURO, in smallest units. */
export const DEFAULT_HOT_WALLET_CAP_UNITS = 10_000n * UNITS_PER_NEURO;

export interface TopUp {
  /** The hot wallet's NEURO before the top-up (smallest units). */
  before: bigint;
  /** Moved from the treasury by this top-up (0n: none was needed). */
  transferred: bigint;
  /** The hot wallet's NEURO after it: what the next payouts may spend. */
  balance: bigint;
  signature: string | null;
}

export interface TopUpRequest {
  rpc: SolanaRpc;
  /** Signs the transfer out of the treasury's token account (and pays its fee). */
  treasury: TreasuryKey;
  mint: PublicKey;
  hotWallet: PublicKey;
  /** What the next payouts need in all (smallest units). */
  needed: bigint;
  /** The most the hot wallet may hold after the top-up (smallest units). */
  capUnits: bigint;
}

/** Tops the hot wallet up towards `needed`, never above `capUnits`; see the file header. */
export async function topUpHotWallet(req: TopUpRequest, options: ConfirmOptions = {}): Promise<TopUp> {
  const { rpc, treasury, mint, hotWallet } = req;
  if (req.capUnits <= 0n) throw new ContractsError("INVALID_AMOUNT", "the hot wallet cap must be positive");
  if (req.needed < 0n) throw new ContractsError("INVALID_AMOUNT", "a top-up cannot need a negative amount");
  if (hotWallet.equals(treasury.publicKey))
    throw new ContractsError("INVALID_ADDRESS", "the hot payout wallet must not be the treasury");
  const before = await getNeuroBalance(rpc, mint, hotWallet);
  // What the wallet may hold after this top-up: the need, capped.
  let target = req.capUnits;
  if (req.needed < target) target = req.needed;
  if (before >= target) return { before, transferred: 0n, balance: before, signature: null };
  const amount = target - before;
  const destination = tokenAccountOf(mint, hotWallet);
  const { signature } = await sendInstructions(
    rpc,
    treasury,
    [
      createAssociatedTokenAccountIdempotentInstruction(treasury.publicKey, destination, hotWallet, mint),
      createTransferCheckedInstruction(
        tokenAccountOf(mint, treasury.publicKey),
        mint,
        destination,
        treasury.publicKey,
        amount,
        NEURO_DECIMALS,
      ),
    ],
    options,
  );
  return { before, transferred: amount, balance: before + amount, signature };
}
