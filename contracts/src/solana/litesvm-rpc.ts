/**
 * SolanaRpc over LiteSVM, in process: a real SVM with the SPL Token, Associated Token Account,
 * Memo, Address Lookup Table and Compute Budget programs, for tests and the benchmark. Exported
 * from the package's "./testing" entry only (litesvm is a development dependency).
 *
 * LiteSVM 1.x takes Kit transaction objects; @solana/web3.js 1.x bytes are bridged with Kit's
 * `getTransactionDecoder().decode(bytes)`. LiteSVM keeps neither token balances nor block
 * heights, so this class adds what a real node reports:
 * - history: for every executed transaction its message, loaded lookup-table addresses, slot,
 *   error and the token balances of its accounts read just before and after it ran;
 * - block height: a counter. LiteSVM accepts only its latest blockhash, so that blockhash's
 *   lastValidBlockHeight is `height at issue + 150`, and moving the height past it expires the
 *   blockhash in LiteSVM too (`advanceBlocks`, `expireBlockhash`): "block height past
 *   lastValidBlockHeight" and "can no longer land" stay the same statement, as on a real chain;
 * - slots: each executed transaction ends its slot (the clock moves one slot on, and `getSlot`
 *   adds that slot to SlotHashes), so a lookup table extended in one transaction is usable by the
 *   next, and `getSlot()` is a valid `recentSlot` for creating one.
 * A send LiteSVM rejects before execution (BlockhashNotFound, AlreadyProcessed, bad signature)
 * throws RPC_ERROR, as a node's preflight would; a transaction that executes and fails is
 * recorded with its error (fee paid), as on chain.
 */
import { type Address, getTransactionDecoder } from "@solana/kit";
import { AccountLayout, MintLayout, TOKEN_PROGRAM_ID } from "@solana/spl-token";
import {
  AddressLookupTableAccount,
  type LoadedAddresses,
  PublicKey,
  type TokenBalance,
  type VersionedMessage,
  VersionedTransaction,
} from "@solana/web3.js";
import bs58 from "bs58";
import { FailedTransactionMetadata, LiteSVM } from "litesvm";
import { ContractsError } from "../errors.js";
import { toChainTransaction } from "./chain-transaction.js";
import type {
  ChainAccount,
  ChainTransaction,
  LatestBlockhash,
  SignatureInfo,
  SignatureStatus,
  SolanaRpc,
} from "./solana-rpc.js";

/** Blocks a blockhash stays valid for (Solana's MAX_PROCESSING_AGE). */
export const BLOCKHASH_VALID_BLOCKS = 150n;

interface Recorded {
  signature: string;
  slot: bigint;
  err: string | null;
  message: VersionedMessage;
  loadedAddresses: LoadedAddresses | null;
  pre: TokenBalance[];
  post: TokenBalance[];
}

const TOKEN_PROGRAM = TOKEN_PROGRAM_ID.toBase58();
const decoder = getTransactionDecoder();

function failureText(result: FailedTransactionMetadata): string {
  const text = result.toString();
  return /err: (.*?), meta:/s.exec(text)?.[1] ?? text.slice(0, 200);
}

export class LiteSvmRpc implements SolanaRpc {
  readonly svm: LiteSVM;
  #height = 1_000n;
  #lastValid = this.#height + BLOCKHASH_VALID_BLOCKS;
  readonly #history = new Map<string, Recorded>();
  readonly #byAddress = new Map<string, string[]>();
  readonly #mintDecimals = new Map<string, number>();

  constructor(svm: LiteSVM = new LiteSVM()) {
    this.svm = svm;
  }

  /** Moves the block height on by `blocks`; past the current blockhash's validity it expires. */
  advanceBlocks(blocks: bigint): void {
    this.#height += blocks;
    if (this.#height > this.#lastValid) {
      this.svm.expireBlockhash();
      this.#lastValid = this.#height + BLOCKHASH_VALID_BLOCKS;
    }
  }

  /** Expires the current blockhash: the height moves past its lastValidBlockHeight. */
  expireBlockhash(): void {
    this.advanceBlocks(this.#lastValid - this.#height + 1n);
  }

  /** Number of transactions executed (succeeded or failed on chain). */
  get executedCount(): number {
    return this.#history.size;
  }

  async getLatestBlockhash(): Promise<LatestBlockhash> {
    return { blockhash: this.svm.latestBlockhash(), lastValidBlockHeight: this.#lastValid };
  }

  async getBlockHeight(): Promise<bigint> {
    return this.#height;
  }

  async getSlot(): Promise<bigint> {
    const slot = this.svm.getClock().slot;
    const hashes = this.svm.getSlotHashes();
    if (hashes[0]?.slot !== slot) {
      const previous = hashes.slice(0, 511).map((h) => ({ slot: h.slot, hash: h.hash }));
      this.svm.setSlotHashes([{ slot, hash: this.svm.latestBlockhash() }, ...previous]);
    }
    return slot;
  }

  async getMinimumBalanceForRentExemption(dataLength: number): Promise<bigint> {
    return this.svm.minimumBalanceForRentExemption(BigInt(dataLength));
  }

  async sendRawTransaction(transaction: Uint8Array): Promise<string> {
    let tx: VersionedTransaction;
    try {
      tx = VersionedTransaction.deserialize(transaction);
    } catch (err) {
      throw new ContractsError("RPC_ERROR", "sendRawTransaction failed: undecodable transaction", {
        cause: err,
      });
    }
    const firstSignature = tx.signatures[0];
    if (!firstSignature) throw new ContractsError("RPC_ERROR", "sendRawTransaction failed: no signature");
    const signature = bs58.encode(firstSignature);
    const loadedAddresses = this.#loadAddresses(tx.message);
    const keys = tx.message.getAccountKeys(
      loadedAddresses ? { accountKeysFromLookups: loadedAddresses } : undefined,
    );
    const allKeys = [
      ...keys.staticAccountKeys,
      ...(loadedAddresses?.writable ?? []),
      ...(loadedAddresses?.readonly ?? []),
    ];
    const pre = this.#tokenBalances(allKeys);
    const result = this.svm.sendTransaction(decoder.decode(transaction));
    const meta = result instanceof FailedTransactionMetadata ? result.meta() : result;
    const executed = bs58.encode(meta.signature()) === signature;
    if (result instanceof FailedTransactionMetadata && !executed) {
      throw new ContractsError("RPC_ERROR", `sendRawTransaction failed: ${failureText(result)}`);
    }
    const slot = this.svm.getClock().slot;
    this.#history.set(signature, {
      signature,
      slot,
      err: result instanceof FailedTransactionMetadata ? failureText(result) : null,
      message: tx.message,
      loadedAddresses,
      pre,
      post: this.#tokenBalances(allKeys),
    });
    for (const key of allKeys) {
      const address = key.toBase58();
      const list = this.#byAddress.get(address);
      if (list) list.push(signature);
      else this.#byAddress.set(address, [signature]);
    }
    this.svm.warpToSlot(slot + 1n);
    return signature;
  }

  async getSignatureStatuses(signatures: readonly string[]): Promise<(SignatureStatus | null)[]> {
    return signatures.map((s) => {
      const r = this.#history.get(s);
      return r ? { slot: r.slot, err: r.err, confirmationStatus: "finalized" } : null;
    });
  }

  async getTransaction(signature: string): Promise<ChainTransaction | null> {
    const r = this.#history.get(signature);
    if (!r) return null;
    return toChainTransaction({
      signature,
      slot: r.slot,
      err: r.err,
      message: r.message,
      loadedAddresses: r.loadedAddresses,
      preTokenBalances: r.pre,
      postTokenBalances: r.post,
    });
  }

  async getMultipleAccounts(addresses: readonly PublicKey[]): Promise<(ChainAccount | null)[]> {
    return addresses.map((a) => this.#account(a));
  }

  async getSignaturesForAddress(
    address: PublicKey,
    options: { limit?: number; before?: string } = {},
  ): Promise<SignatureInfo[]> {
    const newestFirst = [...(this.#byAddress.get(address.toBase58()) ?? [])].reverse();
    const start = options.before ? newestFirst.indexOf(options.before) + 1 : 0;
    return newestFirst.slice(start, start + (options.limit ?? 1000)).map((signature) => {
      const r = this.#history.get(signature);
      return { signature, slot: r?.slot ?? 0n, err: r?.err ?? null };
    });
  }

  async requestAirdrop(address: PublicKey, lamports: bigint): Promise<void> {
    const result = this.svm.airdrop(address.toBase58() as Address, lamports as never);
    if (!result || result instanceof FailedTransactionMetadata) {
      throw new ContractsError("TX_FAILED", `airdrop to ${address.toBase58()} failed`);
    }
  }

  #account(address: PublicKey): ChainAccount | null {
    const a = this.svm.getAccount(address.toBase58() as Address);
    if (!a.exists) return null;
    return { owner: a.programAddress, lamports: a.lamports, data: a.data, executable: a.executable };
  }

  #loadAddresses(message: VersionedMessage): LoadedAddresses | null {
    if (message.addressTableLookups.length === 0) return null;
    const loaded: LoadedAddresses = { writable: [], readonly: [] };
    for (const lookup of message.addressTableLookups) {
      const account = this.#account(lookup.accountKey);
      if (!account) return null; // LiteSVM itself rejects the transaction
      const table = new AddressLookupTableAccount({
        key: lookup.accountKey,
        state: AddressLookupTableAccount.deserialize(account.data),
      });
      const pick = (i: number) => table.state.addresses[i] ?? PublicKey.default;
      loaded.writable.push(...lookup.writableIndexes.map(pick));
      loaded.readonly.push(...lookup.readonlyIndexes.map(pick));
    }
    return loaded;
  }

  #tokenBalances(keys: readonly PublicKey[]): TokenBalance[] {
    const balances: TokenBalance[] = [];
    keys.forEach((key, accountIndex) => {
      const a = this.#account(key);
      if (!a || a.owner !== TOKEN_PROGRAM || a.data.length !== AccountLayout.span) return;
      const token = AccountLayout.decode(a.data);
      const mint = token.mint.toBase58();
      balances.push({
        accountIndex,
        mint,
        owner: token.owner.toBase58(),
        uiTokenAmount: {
          amount: token.amount.toString(),
          decimals: this.#decimalsOf(token.mint),
          uiAmount: null,
        },
      });
    });
    return balances;
  }

  #decimalsOf(mint: PublicKey): number {
    const key = mint.toBase58();
    let decimals = this.#mintDecimals.get(key);
    if (decimals === undefined) {
      const a = this.#account(mint);
      decimals = a && a.data.length >= MintLayout.span ? MintLayout.decode(a.data).decimals : 0;
      this.#mintDecimals.set(key, decimals);
    }
    return decimals;
  }
}
