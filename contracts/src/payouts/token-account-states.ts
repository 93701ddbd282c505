/**
 * Which recipient token accounts exist, for packing: "exists" (an initialized token account),
 * "prefunded" (the address holds lamports but no token account: creating it costs more trace),
 * "missing" (nothing there).
 */
import { TOKEN_PROGRAM_ID } from "@solana/spl-token";
import type { PublicKey } from "@solana/web3.js";
import type { SolanaRpc } from "../solana/solana-rpc.js";
import type { TokenAccountState } from "./transaction-limits.js";

export async function tokenAccountStates(
  rpc: SolanaRpc,
  tokenAccounts: readonly PublicKey[],
): Promise<Map<string, TokenAccountState>> {
  const unique = [...new Map(tokenAccounts.map((a) => [a.toBase58(), a])).values()];
  const accounts = await rpc.getMultipleAccounts(unique);
  const states = new Map<string, TokenAccountState>();
  unique.forEach((address, i) => {
    const a = accounts[i];
    const state: TokenAccountState = !a
      ? "missing"
      : a.owner === TOKEN_PROGRAM_ID.toBase58() && a.data.length > 0
        ? "exists"
        : "prefunded";
    states.set(address.toBase58(), state);
  });
  return states;
}
