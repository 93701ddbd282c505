/**
 * The treasury keypair: mint authority of NEURO, owner of the treasury token account, fee payer
 * and lookup-table authority for payouts. Loaded from a keypair file in the Solana CLI format
 * (a JSON array of the 64 secret-key bytes).
 *
 * The secret never leaves this class: it sits in a private field, signs transactions, and shows
 * only the public key to `console.log`, `util.inspect`, `JSON.stringify` and error messages. A
 * file that fails to load is named in the error; its contents never are.
 */
import { readFile, stat } from "node:fs/promises";
import { Keypair, type PublicKey, type Signer, type VersionedTransaction } from "@solana/web3.js";
import { ContractsError } from "../errors.js";

export class TreasuryKey {
  readonly publicKey: PublicKey;
  readonly #keypair: Keypair;

  private constructor(keypair: Keypair) {
    this.#keypair = keypair;
    this.publicKey = keypair.publicKey;
  }

  /** From the 64 secret-key bytes; throws KEYPAIR_INVALID (without the bytes) if they are not a keypair. */
  static fromSecretKey(secretKey: Uint8Array): TreasuryKey {
    try {
      return new TreasuryKey(Keypair.fromSecretKey(secretKey));
    } catch {
      throw new ContractsError("KEYPAIR_INVALID", "not a valid ed25519 secret key (64 bytes expected)");
    }
  }

  /** A fresh random key (tests, local networks). */
  static generate(): TreasuryKey {
    return new TreasuryKey(Keypair.generate());
  }

  /** Signs with the treasury, plus any extra signers (a new mint's keypair, for instance). */
  sign(transaction: VersionedTransaction, extraSigners: readonly Signer[] = []): void {
    transaction.sign([this.#keypair, ...extraSigners]);
  }

  /** The secret-key bytes in keypair-file format, for writing a new key file (operators only). */
  toKeypairFileContents(): string {
    return JSON.stringify(Array.from(this.#keypair.secretKey));
  }

  toString(): string {
    return `TreasuryKey(${this.publicKey.toBase58()})`;
  }

  toJSON(): { publicKey: string } {
    return { publicKey: this.publicKey.toBase58() };
  }

  [Symbol.for("nodejs.util.inspect.custom")](): string {
    return this.toString();
  }
}

/**
 * Loads a keypair file (JSON array of 64 numbers 0..255). The file must be its owner's alone
 * (mode 0600 or stricter, as `ssh` demands of a private key): one that its group or others may
 * read is refused (KEYPAIR_FILE_INSECURE), and the process does not start with it.
 */
export async function loadTreasuryKey(path: string): Promise<TreasuryKey> {
  let text: string;
  try {
    const { mode } = await stat(path);
    if ((mode & 0o077) !== 0) {
      throw new ContractsError(
        "KEYPAIR_FILE_INSECURE",
        `keypair file ${path} is readable by others (mode ${(mode & 0o777).toString(8)}): chmod 600 it`,
      );
    }
    text = await readFile(path, "utf8");
  } catch (err) {
    if (err instanceof ContractsError) throw err;
    const code = (err as NodeJS.ErrnoException).code ?? "unknown error";
    throw new ContractsError("KEYPAIR_FILE_UNREADABLE", `cannot read keypair file ${path}: ${code}`);
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new ContractsError("KEYPAIR_INVALID", `keypair file ${path} is not JSON`);
  }
  if (
    !Array.isArray(parsed) ||
    parsed.length !== 64 ||
    !parsed.every((b) => Number.isInteger(b) && b >= 0 && b <= 255)
  ) {
    throw new ContractsError("KEYPAIR_INVALID", `keypair file ${path} is not a JSON array of 64 bytes`);
  }
  try {
    return TreasuryKey.fromSecretKey(Uint8Array.from(parsed as number[]));
  } catch {
    throw new ContractsError("KEYPAIR_INVALID", `keypair file ${path} does not hold a valid ed25519 keypair`);
  }
}
