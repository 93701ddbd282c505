import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { Keypair } from "@solana/web3.js";
import bs58 from "bs58";
import nacl from "tweetnacl";
import { ContractsError, type ContractsErrorCode } from "../errors.js";
import { parseSignInMessage } from "./sign-in-message.js";
import { createWalletChallenge, verifyWalletProof } from "./wallet-proof.js";

const DOMAIN = "app.neurogrid.example";
const T0 = new Date("2026-03-01T12:00:00.000Z");

function signed(wallet: Keypair, message: string): string {
  return bs58.encode(nacl.sign.detached(new TextEncoder().encode(message), wallet.secretKey));
}

function rejectsWith(code: ContractsErrorCode, fn: () => unknown): void {
  assert.throws(fn, (e: unknown) => e instanceof ContractsError && e.code === code, code);
}

describe("wallet proofs (Sign-In With Solana)", () => {
  const wallet = Keypair.generate();
  const address = wallet.publicKey.toBase58();
  const challenge = createWalletChallenge({
    domain: DOMAIN,
    address,
    statement: "Link this wallet to receive NeuroGrid payouts.",
    uri: `https://${DOMAIN}`,
    chainId: "devnet",
    issuedAt: T0,
    ttlMs: 300_000,
  });
  const now = new Date(T0.getTime() + 60_000);

  it("builds a SIWS message that parses back to the same fields", () => {
    assert.ok(
      challenge.message.startsWith(`${DOMAIN} wants you to sign in with your Solana account:\n${address}\n`),
    );
    assert.match(challenge.message, /\nNonce: [A-Za-z0-9]{22}\n/);
    const fields = parseSignInMessage(challenge.message);
    assert.equal(fields.nonce, challenge.nonce);
    assert.equal(fields.expirationTime.getTime(), T0.getTime() + 300_000);
    assert.equal(fields.statement, "Link this wallet to receive NeuroGrid payouts.");
    const minimal = createWalletChallenge({ domain: "localhost:4000", address, issuedAt: T0 });
    assert.equal(parseSignInMessage(minimal.message).domain, "localhost:4000");
    assert.notEqual(minimal.nonce, challenge.nonce);
  });

  it("accepts a good proof and returns the nonce for the api's single-use check", () => {
    const proof = verifyWalletProof({
      message: challenge.message,
      signature: signed(wallet, challenge.message),
      address,
      expectedDomain: DOMAIN,
      now,
    });
    assert.equal(proof.address, address);
    assert.equal(proof.nonce, challenge.nonce);
    // raw signature bytes work too
    const raw = nacl.sign.detached(new TextEncoder().encode(challenge.message), wallet.secretKey);
    verifyWalletProof({ message: challenge.message, signature: raw, address, expectedDomain: DOMAIN, now });
  });

  it("rejects an expired challenge, and one issued in the future", () => {
    const signature = signed(wallet, challenge.message);
    rejectsWith("WALLET_PROOF_EXPIRED", () =>
      verifyWalletProof({
        message: challenge.message,
        signature,
        address,
        expectedDomain: DOMAIN,
        now: new Date(T0.getTime() + 300_000),
      }),
    );
    rejectsWith("WALLET_PROOF_NOT_YET_VALID", () =>
      verifyWalletProof({
        message: challenge.message,
        signature,
        address,
        expectedDomain: DOMAIN,
        now: new Date(T0.getTime() - 3_600_000),
      }),
    );
  });

  it("rejects a challenge for another domain", () => {
    rejectsWith("WALLET_PROOF_WRONG_DOMAIN", () =>
      verifyWalletProof({
        message: challenge.message,
        signature: signed(wallet, challenge.message),
        address,
        expectedDomain: "evil.example",
        now,
      }),
    );
  });

  it("rejects a signature by another key, a garbage signature, and a tampered message", () => {
    const other = Keypair.generate();
    rejectsWith("WALLET_PROOF_BAD_SIGNATURE", () =>
      verifyWalletProof({
        message: challenge.message,
        signature: signed(other, challenge.message),
        address,
        expectedDomain: DOMAIN,
        now,
      }),
    );
    for (const signature of ["not-base58-0OIl", "abc", new Uint8Array(64)]) {
      rejectsWith("WALLET_PROOF_BAD_SIGNATURE", () =>
        verifyWalletProof({ message: challenge.message, signature, address, expectedDomain: DOMAIN, now }),
      );
    }
    const signature = signed(wallet, challenge.message);
    const later = new Date(T0.getTime() + 86_400_000).toISOString();
    const tampered = challenge.message.replace(/Expiration Time: .*/, `Expiration Time: ${later}`);
    assert.notEqual(tampered, challenge.message);
    rejectsWith("WALLET_PROOF_BAD_SIGNATURE", () =>
      verifyWalletProof({ message: tampered, signature, address, expectedDomain: DOMAIN, now }),
    );
  });

  it("rejects a malformed address, a message for another address, and malformed messages", () => {
    const signature = signed(wallet, challenge.message);
    for (const bad of ["", "0OIl", "abc", bs58.encode(new Uint8Array(31))]) {
      rejectsWith("INVALID_ADDRESS", () =>
        verifyWalletProof({
          message: challenge.message,
          signature,
          address: bad,
          expectedDomain: DOMAIN,
          now,
        }),
      );
    }
    rejectsWith("WALLET_PROOF_ADDRESS_MISMATCH", () =>
      verifyWalletProof({
        message: challenge.message,
        signature,
        address: Keypair.generate().publicKey.toBase58(),
        expectedDomain: DOMAIN,
        now,
      }),
    );
    for (const message of [
      "hello",
      `${challenge.message}\nextra`,
      challenge.message.replace("Version: 1", "Version: 2"),
    ]) {
      rejectsWith("WALLET_PROOF_MALFORMED", () =>
        verifyWalletProof({
          message,
          signature: signed(wallet, message),
          address,
          expectedDomain: DOMAIN,
          now,
        }),
      );
    }
  });
});
