import { parseAddress, Web3Rpc } from "@neurogrid/contracts";
import type { ApiConfig } from "../config.js";
import type { DepositChain } from "../deposits/deposit-watcher.js";

/**
 * The chain as an api process sees it (devnet/mainnet through @solana/web3.js): an RPC, the
 * mint, the treasury's and the hot payout wallet's addresses. No key: an api replica signs
 * nothing; the payouts process (payouts-process.ts) alone loads keys.
 */
export function chainFromConfig(config: ApiConfig): DepositChain | undefined {
  const { solanaRpcUrl, neuroMint, treasuryAddress } = config;
  if (!solanaRpcUrl && !neuroMint && !treasuryAddress) return undefined;
  if (!solanaRpcUrl || !neuroMint || !treasuryAddress) {
    throw new Error(
      "deposits and payouts need SOLANA_RPC_URL, NEURO_MINT and NEUROGRID_TREASURY_ADDRESS together",
    );
  }
  return {
    rpc: new Web3Rpc(solanaRpcUrl, { commitment: config.solanaCommitment }),
    treasury: parseAddress(treasuryAddress, "treasury address"),
    mint: parseAddress(neuroMint, "NEURO mint"),
    hotWallet: config.hotWalletAddress
      ? parseAddress(config.hotWalletAddress, "hot wallet address")
      : undefined,
  };
}
