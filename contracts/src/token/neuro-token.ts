/**
 * The NEURO SPL token: a mint with 9 decimals whose mint authority is the treasury (no freeze
 * authority), minting to a wallet's associated token account, and balances. These are what the
 * operator CLI (`neurogrid token create-mint | mint | balance`) calls.
 *
 * Minting is not idempotent: a mint transaction that expired unconfirmed is reported as
 * TX_EXPIRED and never rebuilt here; the operator checks the balance before minting again.
 */
import {
  AccountLayout,
  createAssociatedTokenAccountIdempotentInstruction,
  createInitializeMint2Instruction,
  createMintToCheckedInstruction,
  getAssociatedTokenAddressSync,
  MINT_SIZE,
  MintLayout,
  TOKEN_PROGRAM_ID,
} from "@solana/spl-token";
import { Keypair, type PublicKey, SystemProgram } from "@solana/web3.js";
import { ContractsError } from "../errors.js";
import { NEURO_DECIMALS } from "../neuro-amount.js";
import { type ConfirmOptions, sendInstructions } from "../solana/send-and-confirm.js";
import type { SolanaRpc } from "../solana/solana-rpc.js";
import type { TreasuryKey } from "./treasury-key.js";

export const MAX_TOKEN_AMOUNT = 2n ** 64n - 1n;

export interface MintInfo {
  address: string;
  decimals: number;
  supply: bigint;
  mintAuthority: string | null;
}

/** The associated token account of `wallet` for `mint` (wallets only: on-curve owners). */
export function tokenAccountOf(mint: PublicKey, wallet: PublicKey): PublicKey {
  return getAssociatedTokenAddressSync(mint, wallet, true);
}

/** Creates the NEURO mint (9 decimals, mint authority = treasury). `mintKeypair` picks its address. */
export async function createNeuroMint(
  rpc: SolanaRpc,
  treasury: TreasuryKey,
  options: ConfirmOptions & { mintKeypair?: Keypair } = {},
): Promise<{ mint: PublicKey; signature: string }> {
  const mint = options.mintKeypair ?? Keypair.generate();
  const lamports = await rpc.getMinimumBalanceForRentExemption(MINT_SIZE);
  const { signature } = await sendInstructions(
    rpc,
    treasury,
    [
      SystemProgram.createAccount({
        fromPubkey: treasury.publicKey,
        newAccountPubkey: mint.publicKey,
        lamports: Number(lamports),
        space: MINT_SIZE,
        programId: TOKEN_PROGRAM_ID,
      }),
      createInitializeMint2Instruction(mint.publicKey, NEURO_DECIMALS, treasury.publicKey, null),
    ],
    { ...options, extraSigners: [mint] },
  );
  return { mint: mint.publicKey, signature };
}

/** Reads a mint; INVALID_MINT unless it is an SPL token mint with NEURO's 9 decimals. */
export async function readNeuroMint(rpc: SolanaRpc, mint: PublicKey): Promise<MintInfo> {
  const [account] = await rpc.getMultipleAccounts([mint]);
  if (!account || account.owner !== TOKEN_PROGRAM_ID.toBase58() || account.data.length !== MINT_SIZE) {
    throw new ContractsError("INVALID_MINT", `${mint.toBase58()} is not an SPL token mint`);
  }
  const decoded = MintLayout.decode(account.data);
  if (!decoded.isInitialized || decoded.decimals !== NEURO_DECIMALS) {
    throw new ContractsError(
      "INVALID_MINT",
      `${mint.toBase58()} has ${decoded.decimals} decimals, NEURO has ${NEURO_DECIMALS}`,
    );
  }
  return {
    address: mint.toBase58(),
    decimals: decoded.decimals,
    supply: decoded.supply,
    mintAuthority: decoded.mintAuthorityOption ? decoded.mintAuthority.toBase58() : null,
  };
}

/** Mints `amount` smallest units to `wallet`'s token account (created if missing). */
export async function mintNeuro(
  rpc: SolanaRpc,
  treasury: TreasuryKey,
  mint: PublicKey,
  wallet: PublicKey,
  amount: bigint,
  options: ConfirmOptions = {},
): Promise<{ tokenAccount: PublicKey; signature: string }> {
  if (amount <= 0n || amount > MAX_TOKEN_AMOUNT) {
    throw new ContractsError("INVALID_AMOUNT", `mint amount must be in 1..2^64-1, got ${amount}`);
  }
  await readNeuroMint(rpc, mint);
  const tokenAccount = tokenAccountOf(mint, wallet);
  const { signature } = await sendInstructions(
    rpc,
    treasury,
    [
      createAssociatedTokenAccountIdempotentInstruction(treasury.publicKey, tokenAccount, wallet, mint),
      createMintToCheckedInstruction(mint, tokenAccount, treasury.publicKey, amount, NEURO_DECIMALS),
    ],
    options,
  );
  return { tokenAccount, signature };
}

/** The NEURO balance of a wallet (its associated token account; 0n when it has none). */
export async function getNeuroBalance(rpc: SolanaRpc, mint: PublicKey, wallet: PublicKey): Promise<bigint> {
  const [balance] = await getTokenAccountBalances(rpc, [tokenAccountOf(mint, wallet)]);
  return balance ?? 0n;
}

/** Balances of token accounts (0n for a missing one). */
export async function getTokenAccountBalances(
  rpc: SolanaRpc,
  tokenAccounts: readonly PublicKey[],
): Promise<bigint[]> {
  const accounts = await rpc.getMultipleAccounts(tokenAccounts);
  return accounts.map((a) =>
    a && a.owner === TOKEN_PROGRAM_ID.toBase58() && a.data.length === AccountLayout.span
      ? AccountLayout.decode(a.data).amount
      : 0n,
  );
}
