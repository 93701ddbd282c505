import assert from "node:assert/strict";
import { chmod, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import { inspect } from "node:util";
import { Keypair } from "@solana/web3.js";
import { ContractsError } from "../errors.js";
import { createChainFixture, NO_WAIT } from "../testing/chain-fixture.js";
import { getNeuroBalance, mintNeuro, readNeuroMint } from "./neuro-token.js";
import { loadTreasuryKey, TreasuryKey } from "./treasury-key.js";

describe("NEURO token on LiteSVM", () => {
  it("creates a 9-decimal mint owned by the treasury, mints, and reads balances back", async () => {
    const { rpc, treasury, mint } = await createChainFixture({ treasuryTokens: 5_000_000_000n });
    const info = await readNeuroMint(rpc, mint);
    assert.equal(info.decimals, 9);
    assert.equal(info.supply, 5_000_000_000n);
    assert.equal(info.mintAuthority, treasury.publicKey.toBase58());
    assert.equal(await getNeuroBalance(rpc, mint, treasury.publicKey), 5_000_000_000n);

    const wallet = Keypair.generate().publicKey;
    assert.equal(await getNeuroBalance(rpc, mint, wallet), 0n);
    await mintNeuro(rpc, treasury, mint, wallet, 1_500_000_000n, NO_WAIT);
    await mintNeuro(rpc, treasury, mint, wallet, 1n, NO_WAIT);
    assert.equal(await getNeuroBalance(rpc, mint, wallet), 1_500_000_001n);
    assert.equal((await readNeuroMint(rpc, mint)).supply, 6_500_000_001n);
  });

  it("rejects a mint that is not a NEURO mint and amounts outside u64", async () => {
    const { rpc, treasury, mint } = await createChainFixture();
    await assert.rejects(
      readNeuroMint(rpc, Keypair.generate().publicKey),
      (e: unknown) => e instanceof ContractsError && e.code === "INVALID_MINT",
    );
    await assert.rejects(
      mintNeuro(rpc, treasury, mint, treasury.publicKey, 0n, NO_WAIT),
      (e: unknown) => e instanceof ContractsError && e.code === "INVALID_AMOUNT",
    );
    await assert.rejects(
      mintNeuro(rpc, treasury, mint, treasury.publicKey, 2n ** 64n, NO_WAIT),
      (e: unknown) => e instanceof ContractsError && e.code === "INVALID_AMOUNT",
    );
  });
});

describe("treasury keypair file", () => {
  const dirs: string[] = [];
  after(async () => {
    for (const d of dirs) await rm(d, { recursive: true, force: true });
  });
  async function file(contents: string): Promise<string> {
    const dir = await mkdtemp(join(tmpdir(), "treasury-"));
    dirs.push(dir);
    const path = join(dir, "treasury.json");
    await writeFile(path, contents, { mode: 0o600 });
    return path;
  }

  it("loads a Solana CLI keypair file and never shows the secret", async () => {
    const original = TreasuryKey.generate();
    const secretJson = original.toKeypairFileContents();
    const loaded = await loadTreasuryKey(await file(secretJson));
    assert.ok(loaded.publicKey.equals(original.publicKey));
    const shown = [
      inspect(loaded),
      String(loaded),
      JSON.stringify(loaded),
      inspect({ loaded }, { depth: 5 }),
    ];
    const secretBytes = JSON.parse(secretJson) as number[];
    for (const text of shown) {
      assert.ok(text.includes(loaded.publicKey.toBase58()));
      assert.ok(!text.includes(secretJson.slice(1, 40)), text);
      assert.ok(!text.includes("secretKey"), text);
    }
    assert.equal(secretBytes.length, 64);
  });

  it("refuses a keypair file its group or others may read (not 0600)", async () => {
    const path = await file(TreasuryKey.generate().toKeypairFileContents());
    await chmod(path, 0o644);
    await assert.rejects(loadTreasuryKey(path), (e: unknown) => {
      assert.ok(e instanceof ContractsError && e.code === "KEYPAIR_FILE_INSECURE");
      assert.match(e.message, /chmod 600/);
      return true;
    });
    await chmod(path, 0o600);
    assert.ok(await loadTreasuryKey(path));
  });

  it("names the file but not its contents when it is unreadable or invalid", async () => {
    await assert.rejects(
      loadTreasuryKey("/nonexistent/treasury.json"),
      (e: unknown) => e instanceof ContractsError && e.code === "KEYPAIR_FILE_UNREADABLE",
    );
    const secret = `[${Array.from({ length: 63 }, () => "7").join(",")}]`;
    const path = await file(secret);
    await assert.rejects(loadTreasuryKey(path), (e: unknown) => {
      assert.ok(e instanceof ContractsError && e.code === "KEYPAIR_INVALID");
      assert.ok(e.message.includes(path));
      assert.ok(!e.message.includes("7,7"));
      return true;
    });
    await assert.rejects(
      loadTreasuryKey(await file("not json")),
      (e: unknown) => e instanceof ContractsError && e.code === "KEYPAIR_INVALID",
    );
  });
});
