import assert from "node:assert/strict";
import { test } from "node:test";
import { Keypair } from "@solana/web3.js";
import {
  createDepositChain,
  fundedWallet,
  otherMint,
  payTransferRequest,
} from "../testing/deposit-fixture.js";
import { encodeTransferRequest, newReference, parseTransferRequest } from "./transfer-request.js";
import { readIncomingTransfer, validateRequestPayment } from "./validate-transfer.js";

test("a transfer request URL carries treasury, amount, mint, reference, label and memo, and parses back", () => {
  const recipient = Keypair.generate().publicKey;
  const splToken = Keypair.generate().publicKey;
  const reference = newReference();
  const url = encodeTransferRequest({
    recipient,
    amount: 1_500_000_000n,
    splToken,
    reference,
    label: "NeuroGrid",
    memo: "neurogrid-deposit:abc def",
  });
  assert.equal(
    url,
    `solana:${recipient.toBase58()}?amount=1.5&spl-token=${splToken.toBase58()}&reference=${reference.toBase58()}&label=NeuroGrid&memo=neurogrid-deposit%3Aabc%20def`,
  );
  const back = parseTransferRequest(url);
  assert.equal(back.amount, 1_500_000_000n);
  assert.ok(back.reference.equals(reference));
  assert.equal(back.memo, "neurogrid-deposit:abc def");
});

test("validation on chain: paid, overpaid, underpaid, wrong mint, wrong destination", async () => {
  const chain = await createDepositChain();
  const wallet = await fundedWallet(chain, 100_000_000_000n);
  const target = { mint: chain.mint, treasury: chain.treasury.publicKey };
  const request = () => ({
    recipient: chain.treasury.publicKey,
    amount: 2_000_000_000n,
    splToken: chain.mint,
    reference: newReference(),
    memo: "neurogrid-deposit:t",
  });
  const check = async (change: Parameters<typeof payTransferRequest>[3], mintWallet = wallet) => {
    const r = request();
    const signature = await payTransferRequest(chain.rpc, mintWallet, r, change);
    const tx = await chain.rpc.getTransaction(signature);
    assert.ok(tx);
    const incoming = readIncomingTransfer(tx, target);
    return { incoming, verdict: validateRequestPayment(incoming, r) };
  };
  const paid = await check({});
  assert.deepEqual(paid.verdict, { ok: true, received: 2_000_000_000n });
  assert.deepEqual(paid.incoming.senders, [wallet.publicKey.toBase58()]);
  assert.deepEqual((await check({ amount: 2_500_000_000n })).verdict, { ok: true, received: 2_500_000_000n });
  assert.deepEqual((await check({ amount: 1_999_999_999n })).verdict, { ok: false, reason: "UNDERPAID" });
  const other = await otherMint(chain);
  const holder = await fundedWallet(chain, 10_000_000_000n, other);
  assert.deepEqual((await check({ mint: other.mint }, holder)).verdict, { ok: false, reason: "WRONG_MINT" });
  const wrong = await check({ recipient: Keypair.generate().publicKey });
  assert.deepEqual(wrong.verdict, { ok: false, reason: "WRONG_DESTINATION" });
  assert.equal(wrong.incoming.received, 0n);
  assert.deepEqual((await check({ noReference: true })).verdict, { ok: false, reason: "NO_REFERENCE" });
});
