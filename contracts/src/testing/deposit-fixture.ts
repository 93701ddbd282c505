/**
 * Deposits on LiteSVM for tests and the benchmark: a chain whose treasury token account starts
 * empty (so the treasury's NEURO is exactly what came in minus what went out), client wallets
 * funded with SOL and NEURO, and a wallet app that pays a Solana Pay transfer request — as asked,
 * or wrongly (less, another mint, another recipient) to test what is refused.
 */
import { createMemoInstruction } from "@solana/spl-memo";
import {
  createAssociatedTokenAccountIdempotentInstruction,
  createTransferCheckedInstruction,
} from "@solana/spl-token";
import { Keypair, type PublicKey, TransactionMessage, VersionedTransaction } from "@solana/web3.js";
import type { TransferRequest } from "../deposits/transfer-request.js";
import { NEURO_DECIMALS } from "../neuro-amount.js";
import { LiteSvmRpc } from "../solana/litesvm-rpc.js";
import type { SolanaRpc } from "../solana/solana-rpc.js";
import { createNeuroMint, mintNeuro, tokenAccountOf } from "../token/neuro-token.js";
import { TreasuryKey } from "../token/treasury-key.js";
import { type ChainFixture, NO_WAIT } from "./chain-fixture.js";

/** A chain with the NEURO mint and the treasury's token account, holding nothing yet. */
export async function createDepositChain(): Promise<ChainFixture> {
  const rpc = new LiteSvmRpc();
  const treasury = TreasuryKey.generate();
  await rpc.requestAirdrop(treasury.publicKey, 1_000_000_000_000n);
  const { mint } = await createNeuroMint(rpc, treasury, NO_WAIT);
  const treasuryTokenAccount = tokenAccountOf(mint, treasury.publicKey);
  const latest = await rpc.getLatestBlockhash();
  const message = new TransactionMessage({
    payerKey: treasury.publicKey,
    recentBlockhash: latest.blockhash,
    instructions: [
      createAssociatedTokenAccountIdempotentInstruction(
        treasury.publicKey,
        treasuryTokenAccount,
        treasury.publicKey,
        mint,
      ),
    ],
  }).compileToV0Message();
  const tx = new VersionedTransaction(message);
  treasury.sign(tx);
  await rpc.sendRawTransaction(tx.serialize());
  return { rpc, treasury, mint, treasuryTokenAccount };
}

/** A client's wallet with SOL for fees and `neuro` smallest units of `mint` (NEURO by default). */
export async function fundedWallet(
  chain: ChainFixture,
  neuro: bigint,
  mint: { mint: PublicKey; authority: TreasuryKey } = { mint: chain.mint, authority: chain.treasury },
): Promise<Keypair> {
  const wallet = Keypair.generate();
  await chain.rpc.requestAirdrop(wallet.publicKey, 10_000_000_000n);
  await mintNeuro(chain.rpc, mint.authority, mint.mint, wallet.publicKey, neuro, NO_WAIT);
  return wallet;
}

/** Another 9-decimal mint (a token that is not NEURO), with its own authority. */
export async function otherMint(chain: ChainFixture): Promise<{ mint: PublicKey; authority: TreasuryKey }> {
  const authority = TreasuryKey.generate();
  await chain.rpc.requestAirdrop(authority.publicKey, 10_000_000_000n);
  const { mint } = await createNeuroMint(chain.rpc, authority, NO_WAIT);
  return { mint, authority };
}

/** What a wallet app does with a transfer request; `change` pays it wrongly. Returns the signature. */
export async function payTransferRequest(
  rpc: SolanaRpc,
  payer: Keypair,
  request: TransferRequest,
  change: { amount?: bigint; mint?: PublicKey; recipient?: PublicKey; noReference?: boolean } = {},
): Promise<string> {
  const mint = change.mint ?? request.splToken;
  const recipient = change.recipient ?? request.recipient;
  const destination = tokenAccountOf(mint, recipient);
  const transfer = createTransferCheckedInstruction(
    tokenAccountOf(mint, payer.publicKey),
    mint,
    destination,
    payer.publicKey,
    change.amount ?? request.amount,
    NEURO_DECIMALS,
  );
  if (!change.noReference) {
    transfer.keys.push({ pubkey: request.reference, isSigner: false, isWritable: false });
  }
  const latest = await rpc.getLatestBlockhash();
  const message = new TransactionMessage({
    payerKey: payer.publicKey,
    recentBlockhash: latest.blockhash,
    instructions: [
      createAssociatedTokenAccountIdempotentInstruction(payer.publicKey, destination, recipient, mint),
      ...(request.memo ? [createMemoInstruction(request.memo)] : []),
      transfer,
    ],
  }).compileToV0Message();
  const tx = new VersionedTransaction(message);
  tx.sign([payer]);
  return rpc.sendRawTransaction(tx.serialize());
}
