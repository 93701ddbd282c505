/**
 * Creating a recipient's NEURO token account once, when the wallet is linked, so that later
 * payouts to it are plain transfers (about 50 fit a transaction, against 10 that also create the
 * account). Idempotent: an account that exists costs one read and no transaction, and the
 * create instruction itself is the idempotent variant, so a retry after any failure is safe.
 * With lookup tables given, the token account is also added to them.
 */
import { createAssociatedTokenAccountIdempotentInstruction } from "@solana/spl-token";
import type { PublicKey } from "@solana/web3.js";
import { parseAddress } from "../solana/address.js";
import { type ConfirmOptions, sendInstructions } from "../solana/send-and-confirm.js";
import type { SolanaRpc } from "../solana/solana-rpc.js";
import { tokenAccountOf } from "../token/neuro-token.js";
import type { TreasuryKey } from "../token/treasury-key.js";
import type { RecipientLookupTables } from "./recipient-lookup-tables.js";

export interface PreparedRecipient {
  wallet: string;
  tokenAccount: string;
  /** True when this call created the account. */
  created: boolean;
  signature: string | null;
}

export async function prepareRecipient(
  rpc: SolanaRpc,
  treasury: TreasuryKey,
  mint: PublicKey,
  wallet: string,
  options: ConfirmOptions & { lookupTables?: RecipientLookupTables } = {},
): Promise<PreparedRecipient> {
  const { lookupTables, ...confirm } = options;
  const owner = parseAddress(wallet, "recipient wallet");
  const tokenAccount = tokenAccountOf(mint, owner);
  const [existing] = await rpc.getMultipleAccounts([tokenAccount]);
  let signature: string | null = null;
  if (!existing || existing.data.length === 0) {
    ({ signature } = await sendInstructions(
      rpc,
      treasury,
      [createAssociatedTokenAccountIdempotentInstruction(treasury.publicKey, tokenAccount, owner, mint)],
      confirm,
    ));
  }
  if (lookupTables) await lookupTables.ensure([tokenAccount]);
  return {
    wallet: owner.toBase58(),
    tokenAccount: tokenAccount.toBase58(),
    created: signature !== null,
    signature,
  };
}
