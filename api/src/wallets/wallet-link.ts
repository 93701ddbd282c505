import type { EntityManager } from "@mikro-orm/postgresql";
import {
  createWalletChallenge,
  isContractsError,
  parseSignInMessage,
  verifyWalletProof,
  type WalletChallenge,
} from "@neurogrid/contracts";
import type { Account } from "../db/entities/index.js";
import { ApiError } from "../errors.js";

/**
 * Linking a provider's or a client's Solana wallet, in the manner of Sign-In With Solana (payouts
 * and withdrawals go to it; NEURO it sends the treasury is credited to its account):
 *   1. walletChallenge(address): the server makes a message (domain, address, nonce, issued
 *      at, expiry) and stores its nonce for this account and address;
 *   2. the wallet signs the message; linkWallet(message, signature) verifies the ed25519
 *      signature against the base58 address, then consumes the nonce atomically (single use:
 *      `update ... where used_at is null and expires_at > now()`), then links the wallet.
 * Changing the wallet is the same dance: a new proof each time, and only once the last link is
 * `cooldownMs` old (a stolen session cannot redirect the next payout at once; FORBIDDEN, with
 * when it may). An address belongs to one account at most. Linking writes nothing on chain: the
 * wallet's token account is made by its first payout or withdrawal (the treasury's rent for it
 * is spent on a wallet that is paid, not on every link, over and over).
 */
const CHALLENGE_TTL_MS = 5 * 60_000;

export async function issueChallenge(
  em: EntityManager,
  account: Account,
  address: string,
  domain: string,
): Promise<WalletChallenge> {
  let challenge: WalletChallenge;
  try {
    challenge = createWalletChallenge({
      domain,
      address,
      statement: "Link this wallet to your NeuroGrid account: payouts and withdrawals go to it.",
      ttlMs: CHALLENGE_TTL_MS,
    });
  } catch (err) {
    throw asApiError(err);
  }
  await em.execute(
    "insert into wallet_challenges (nonce, account_id, address, message, expires_at) values (?, ?, ?, ?, ?)",
    [
      challenge.nonce,
      account.id,
      parseSignInMessage(challenge.message).address,
      challenge.message,
      challenge.expiresAt,
    ],
  );
  return challenge;
}

export async function linkWallet(
  em: EntityManager,
  account: Account,
  message: string,
  signature: string,
  domain: string,
  cooldownMs: number,
): Promise<{ address: string }> {
  let address: string;
  let nonce: string;
  try {
    const fields = parseSignInMessage(message);
    address = fields.address;
    nonce = fields.nonce;
    verifyWalletProof({ message, signature, address, expectedDomain: domain });
  } catch (err) {
    throw asApiError(err);
  }
  return em.transactional(async (tx) => {
    const consumed = await tx.execute<{ nonce: string }[]>(
      `update wallet_challenges set used_at = now()
        where nonce = ? and account_id = ? and address = ? and message = ? and used_at is null and expires_at > now()
        returning nonce`,
      [nonce, account.id, address, message],
    );
    if (consumed.length === 0) {
      throw new ApiError(
        "BAD_USER_INPUT",
        "this challenge is unknown, already used or expired: ask for a new one",
        {
          reason: "CHALLENGE_NOT_USABLE",
        },
      );
    }
    const owner = await tx.execute<{ account_id: string }[]>(
      "select account_id from wallets where address = ?",
      [address],
    );
    if (owner[0] && owner[0].account_id !== account.id) {
      throw new ApiError("CONFLICT", "this wallet is linked to another account");
    }
    const [current] = await tx.execute<{ address: string; changeable_at: string }[]>(
      "select address, linked_at + make_interval(secs => ? / 1000.0) as changeable_at from wallets where account_id = ?",
      [cooldownMs, account.id],
    );
    if (current && current.address !== address && new Date(current.changeable_at).getTime() > Date.now()) {
      const at = new Date(current.changeable_at).toISOString();
      throw new ApiError("FORBIDDEN", `your wallet was linked recently; it can be changed from ${at}`, {
        reason: "WALLET_COOLING_OFF",
        changeableAt: at,
      });
    }
    await tx.execute(
      `insert into wallets (account_id, address, token_account, linked_at) values (?, ?, null, now())
       on conflict (account_id) do update set address = excluded.address, token_account = null, linked_at = now()`,
      [account.id, address],
    );
    return { address };
  });
}

/** contracts' typed errors at the api's edge: bad input, with the precise reason. */
function asApiError(err: unknown): unknown {
  if (isContractsError(err)) return new ApiError("BAD_USER_INPUT", err.message, { reason: err.code });
  return err;
}
