/**
 * A SolanaRpc that reports chosen transactions as "confirmed" but not yet "finalized" until they
 * are released, forwarding everything else. LiteSVM finalizes every transaction at once; this
 * stands for the seconds a real cluster takes, so a test can look at the state in between.
 */
import type { PublicKey } from "@solana/web3.js";
import type {
  ChainAccount,
  ChainTransaction,
  LatestBlockhash,
  SignatureInfo,
  SignatureStatus,
  SolanaRpc,
} from "../solana/solana-rpc.js";

export class FinalityGate implements SolanaRpc {
  readonly #held = new Set<string>();

  constructor(readonly inner: SolanaRpc) {}

  /** The signature stays at "confirmed" until `finalize`. */
  hold(signature: string): void {
    this.#held.add(signature);
  }

  finalize(signature: string): void {
    this.#held.delete(signature);
  }

  async getSignatureStatuses(signatures: readonly string[]): Promise<(SignatureStatus | null)[]> {
    const statuses = await this.inner.getSignatureStatuses(signatures);
    return statuses.map((s, i) =>
      s && this.#held.has(signatures[i] ?? "") ? { ...s, confirmationStatus: "confirmed" } : s,
    );
  }

  getLatestBlockhash(): Promise<LatestBlockhash> {
    return this.inner.getLatestBlockhash();
  }
  getBlockHeight(): Promise<bigint> {
    return this.inner.getBlockHeight();
  }
  getSlot(): Promise<bigint> {
    return this.inner.getSlot();
  }
  getMinimumBalanceForRentExemption(dataLength: number): Promise<bigint> {
    return this.inner.getMinimumBalanceForRentExemption(dataLength);
  }
  sendRawTransaction(transaction: Uint8Array): Promise<string> {
    return this.inner.sendRawTransaction(transaction);
  }
  getTransaction(signature: string): Promise<ChainTransaction | null> {
    return this.inner.getTransaction(signature);
  }
  getMultipleAccounts(addresses: readonly PublicKey[]): Promise<(ChainAccount | null)[]> {
    return this.inner.getMultipleAccounts(addresses);
  }
  getSignaturesForAddress(
    address: PublicKey,
    options?: { limit?: number; before?: string },
  ): Promise<SignatureInfo[]> {
    return this.inner.getSignaturesForAddress(address, options);
  }
  requestAirdrop(address: PublicKey, lamports: bigint): Promise<void> {
    return this.inner.requestAirdrop(address, lamports);
  }
}
