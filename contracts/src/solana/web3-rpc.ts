/**
 * SolanaRpc over a real cluster (devnet, mainnet, a local validator) with @solana/web3.js 1.x.
 *
 * Choices, per the interface's header:
 * - block height at `finalized`, so "past lastValidBlockHeight" means no fork can still land it;
 * - statuses with `searchTransactionHistory`, so an old signature is found after a long crash;
 * - sends with `maxRetries: 0`: the payout sender resends the same bytes itself while they are
 *   valid, and preflight stays on (a rejected send throws RPC_ERROR; its outcome is "not sent").
 * Every failure of the node becomes a ContractsError RPC_ERROR with the original as `cause`.
 */
import { type Commitment, Connection, type PublicKey, type TransactionError } from "@solana/web3.js";
import { ContractsError, describeError } from "../errors.js";
import { toChainTransaction } from "./chain-transaction.js";
import type {
  ChainAccount,
  ChainTransaction,
  LatestBlockhash,
  SignatureInfo,
  SignatureStatus,
  SolanaRpc,
} from "./solana-rpc.js";

const STATUS_CHUNK = 256;
const ACCOUNTS_CHUNK = 100;

export interface Web3RpcOptions {
  /** Commitment for blockhashes, transactions and account reads (default "confirmed"). */
  commitment?: Extract<Commitment, "confirmed" | "finalized">;
  /** How often and how long to wait for an airdrop to land (devnet only). */
  airdropPollMs?: number;
  airdropTimeoutMs?: number;
}

function errText(err: TransactionError | null | undefined): string | null {
  if (err === null || err === undefined) return null;
  return typeof err === "string" ? err : JSON.stringify(err);
}

export class Web3Rpc implements SolanaRpc {
  readonly connection: Connection;
  readonly #commitment: "confirmed" | "finalized";
  readonly #options: Web3RpcOptions;

  constructor(connectionOrUrl: Connection | string, options: Web3RpcOptions = {}) {
    this.#options = options;
    this.#commitment = options.commitment ?? "confirmed";
    this.connection =
      typeof connectionOrUrl === "string"
        ? new Connection(connectionOrUrl, { commitment: this.#commitment })
        : connectionOrUrl;
  }

  async #call<T>(what: string, fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (err) {
      throw new ContractsError("RPC_ERROR", `${what} failed: ${describeError(err)}`, { cause: err });
    }
  }

  async getLatestBlockhash(): Promise<LatestBlockhash> {
    const r = await this.#call("getLatestBlockhash", () =>
      this.connection.getLatestBlockhash(this.#commitment),
    );
    return { blockhash: r.blockhash, lastValidBlockHeight: BigInt(r.lastValidBlockHeight) };
  }

  async getBlockHeight(): Promise<bigint> {
    return BigInt(await this.#call("getBlockHeight", () => this.connection.getBlockHeight("finalized")));
  }

  async getSlot(): Promise<bigint> {
    return BigInt(await this.#call("getSlot", () => this.connection.getSlot("finalized")));
  }

  async getMinimumBalanceForRentExemption(dataLength: number): Promise<bigint> {
    return BigInt(
      await this.#call("getMinimumBalanceForRentExemption", () =>
        this.connection.getMinimumBalanceForRentExemption(dataLength),
      ),
    );
  }

  async sendRawTransaction(transaction: Uint8Array): Promise<string> {
    return this.#call("sendRawTransaction", () =>
      this.connection.sendRawTransaction(transaction, {
        maxRetries: 0,
        preflightCommitment: this.#commitment,
      }),
    );
  }

  async getSignatureStatuses(signatures: readonly string[]): Promise<(SignatureStatus | null)[]> {
    const out: (SignatureStatus | null)[] = [];
    for (let i = 0; i < signatures.length; i += STATUS_CHUNK) {
      const chunk = signatures.slice(i, i + STATUS_CHUNK);
      const r = await this.#call("getSignatureStatuses", () =>
        this.connection.getSignatureStatuses(chunk, { searchTransactionHistory: true }),
      );
      for (const s of r.value) {
        out.push(
          s
            ? {
                slot: BigInt(s.slot),
                err: errText(s.err),
                confirmationStatus:
                  s.confirmationStatus ?? (s.confirmations === null ? "finalized" : "processed"),
              }
            : null,
        );
      }
    }
    return out;
  }

  async getTransaction(signature: string): Promise<ChainTransaction | null> {
    const r = await this.#call("getTransaction", () =>
      this.connection.getTransaction(signature, {
        commitment: this.#commitment,
        maxSupportedTransactionVersion: 0,
      }),
    );
    if (!r) return null;
    return toChainTransaction({
      signature,
      slot: BigInt(r.slot),
      err: errText(r.meta?.err),
      message: r.transaction.message,
      loadedAddresses: r.meta?.loadedAddresses ?? null,
      preTokenBalances: r.meta?.preTokenBalances ?? [],
      postTokenBalances: r.meta?.postTokenBalances ?? [],
    });
  }

  async getMultipleAccounts(addresses: readonly PublicKey[]): Promise<(ChainAccount | null)[]> {
    const out: (ChainAccount | null)[] = [];
    for (let i = 0; i < addresses.length; i += ACCOUNTS_CHUNK) {
      const chunk = addresses.slice(i, i + ACCOUNTS_CHUNK);
      const infos = await this.#call("getMultipleAccountsInfo", () =>
        this.connection.getMultipleAccountsInfo(chunk, this.#commitment),
      );
      for (const a of infos) {
        out.push(
          a
            ? {
                owner: a.owner.toBase58(),
                lamports: BigInt(a.lamports),
                data: new Uint8Array(a.data),
                executable: a.executable,
              }
            : null,
        );
      }
    }
    return out;
  }

  async getSignaturesForAddress(
    address: PublicKey,
    options: { limit?: number; before?: string } = {},
  ): Promise<SignatureInfo[]> {
    const r = await this.#call("getSignaturesForAddress", () =>
      this.connection.getSignaturesForAddress(address, options, this.#commitment),
    );
    return r.map((s) => ({ signature: s.signature, slot: BigInt(s.slot), err: errText(s.err) }));
  }

  async requestAirdrop(address: PublicKey, lamports: bigint): Promise<void> {
    const signature = await this.#call("requestAirdrop", () =>
      this.connection.requestAirdrop(address, Number(lamports)),
    );
    const pollMs = this.#options.airdropPollMs ?? 1000;
    const deadline = Date.now() + (this.#options.airdropTimeoutMs ?? 60_000);
    while (Date.now() < deadline) {
      const [status] = await this.getSignatureStatuses([signature]);
      if (status?.err) throw new ContractsError("TX_FAILED", `airdrop ${signature} failed: ${status.err}`);
      if (status && status.confirmationStatus !== "processed") return;
      await new Promise((resolve) => setTimeout(resolve, pollMs));
    }
    throw new ContractsError("TX_EXPIRED", `airdrop ${signature} did not confirm in time`);
  }
}
