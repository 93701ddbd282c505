/**
 * Fault injection for tests: a SolanaRpc that forwards to another one, except for the faults
 * planned on it. Each planned fault fires once, in the order planned.
 *
 * Send faults model what a payout sender must survive:
 * - "error-before-send": the call throws RPC_ERROR and nothing reached the chain;
 * - "error-after-send":  the transaction was sent (and may land), then the call throws RPC_ERROR,
 *                        as when the response is lost;
 * - "drop":              the call returns the signature but the transaction never lands, as when a
 *                        leader drops it;
 * - "crash-after-send":  the transaction was sent, then the call throws SimulatedCrash: the caller's
 *                        process "dies" before it could record anything after the send.
 * Any other operation can be made to throw RPC_ERROR with `failNext(op)`. `then` runs after the
 * fault fired (to expire a blockhash at exactly that point, for instance).
 */
import { type PublicKey, VersionedTransaction } from "@solana/web3.js";
import bs58 from "bs58";
import { ContractsError } from "../errors.js";
import type {
  ChainAccount,
  ChainTransaction,
  LatestBlockhash,
  SignatureInfo,
  SignatureStatus,
  SolanaRpc,
} from "./solana-rpc.js";

export type SendFault = "error-before-send" | "error-after-send" | "drop" | "crash-after-send";
export type RpcOperation = Exclude<keyof SolanaRpc, "sendRawTransaction">;

/** Thrown by "crash-after-send": stands for the process dying; never caught by the code under test. */
export class SimulatedCrash extends Error {
  override readonly name = "SimulatedCrash";
}

interface Planned<F> {
  fault: F;
  then?: () => void | Promise<void>;
}

export class FaultyRpc implements SolanaRpc {
  readonly #sendFaults: Planned<SendFault>[] = [];
  readonly #opFaults: Planned<RpcOperation>[] = [];
  /** Every send asked of this RPC, with the fault that hit it (null when forwarded normally). */
  readonly sends: { signature: string; fault: SendFault | null }[] = [];

  constructor(readonly inner: SolanaRpc) {}

  failNextSend(fault: SendFault, then?: () => void | Promise<void>): this {
    this.#sendFaults.push({ fault, then });
    return this;
  }

  failNext(operation: RpcOperation, then?: () => void | Promise<void>): this {
    this.#opFaults.push({ fault: operation, then });
    return this;
  }

  async #guard(operation: RpcOperation): Promise<void> {
    const i = this.#opFaults.findIndex((p) => p.fault === operation);
    if (i < 0) return;
    const [planned] = this.#opFaults.splice(i, 1);
    await planned?.then?.();
    throw new ContractsError("RPC_ERROR", `${operation} failed: injected fault`);
  }

  async sendRawTransaction(transaction: Uint8Array): Promise<string> {
    const planned = this.#sendFaults.shift();
    const signature = bs58.encode(
      VersionedTransaction.deserialize(transaction).signatures[0] ?? new Uint8Array(64),
    );
    this.sends.push({ signature, fault: planned?.fault ?? null });
    if (!planned) return this.inner.sendRawTransaction(transaction);
    if (planned.fault === "error-after-send" || planned.fault === "crash-after-send") {
      await this.inner.sendRawTransaction(transaction).catch(() => undefined);
    }
    await planned.then?.();
    switch (planned.fault) {
      case "drop":
        return signature;
      case "crash-after-send":
        throw new SimulatedCrash("simulated crash after send");
      default:
        throw new ContractsError("RPC_ERROR", `sendRawTransaction failed: injected fault (${planned.fault})`);
    }
  }

  async getLatestBlockhash(): Promise<LatestBlockhash> {
    await this.#guard("getLatestBlockhash");
    return this.inner.getLatestBlockhash();
  }
  async getBlockHeight(): Promise<bigint> {
    await this.#guard("getBlockHeight");
    return this.inner.getBlockHeight();
  }
  async getSlot(): Promise<bigint> {
    await this.#guard("getSlot");
    return this.inner.getSlot();
  }
  async getMinimumBalanceForRentExemption(dataLength: number): Promise<bigint> {
    await this.#guard("getMinimumBalanceForRentExemption");
    return this.inner.getMinimumBalanceForRentExemption(dataLength);
  }
  async getSignatureStatuses(signatures: readonly string[]): Promise<(SignatureStatus | null)[]> {
    await this.#guard("getSignatureStatuses");
    return this.inner.getSignatureStatuses(signatures);
  }
  async getTransaction(signature: string): Promise<ChainTransaction | null> {
    await this.#guard("getTransaction");
    return this.inner.getTransaction(signature);
  }
  async getMultipleAccounts(addresses: readonly PublicKey[]): Promise<(ChainAccount | null)[]> {
    await this.#guard("getMultipleAccounts");
    return this.inner.getMultipleAccounts(addresses);
  }
  async getSignaturesForAddress(
    address: PublicKey,
    options?: { limit?: number; before?: string },
  ): Promise<SignatureInfo[]> {
    await this.#guard("getSignaturesForAddress");
    return this.inner.getSignaturesForAddress(address, options);
  }
  async requestAirdrop(address: PublicKey, lamports: bigint): Promise<void> {
    await this.#guard("requestAirdrop");
    return this.inner.requestAirdrop(address, lamports);
  }
}
