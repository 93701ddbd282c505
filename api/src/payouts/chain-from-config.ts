import { loadTreasuryKey, parseAddress, Web3Rpc } from "@neurogrid/contracts";
import type { ApiConfig } from "../config.js";
import type { PayoutChain } from "./payout-chain.js";

/** The real chain (devnet/mainnet through @solana/web3.js), when the config names all of it. */
export async function chainFromConfig(config: ApiConfig): Promise<PayoutChain | undefined> {
  const { solanaRpcUrl, neuroMint, treasuryKeyPath } = config;
  if (!solanaRpcUrl && !neuroMint && !treasuryKeyPath) return undefined;
  if (!solanaRpcUrl || !neuroMint || !treasuryKeyPath) {
    throw new Error("payouts need SOLANA_RPC_URL, NEURO_MINT and NEUROGRID_TREASURY_KEYPAIR together");
  }
  return {
    rpc: new Web3Rpc(solanaRpcUrl, { commitment: config.solanaCommitment }),
    treasury: await loadTreasuryKey(treasuryKeyPath),
    mint: parseAddress(neuroMint, "NEURO mint"),
    commitment: config.solanaCommitment,
    pollIntervalMs: config.payoutPollIntervalMs,
    settleTimeoutMs: config.payoutSettleTimeoutMs,
  };
}
