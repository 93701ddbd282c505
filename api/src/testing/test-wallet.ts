import bs58 from "bs58";
import type { BrowserContext } from "playwright-core";
import nacl from "tweetnacl";

/**
 * A Solana wallet for browser tests, registered in the page through the Wallet Standard (the
 * `wallet-standard:register-wallet` / `app-ready` events a wallet extension uses) with the
 * features a dashboard asks for: standard:connect and solana:signMessage. It signs with a known
 * ed25519 keypair held here, in the test process, as a real wallet holds its key outside the page.
 */
export const TEST_WALLET_NAME = "NeuroGrid Test Wallet";

export async function installTestWallet(context: BrowserContext, seedByte: number): Promise<string> {
  const keys = nacl.sign.keyPair.fromSeed(new Uint8Array(32).fill(seedByte));
  const address = bs58.encode(keys.publicKey);
  await context.exposeFunction("__testWalletSign", (bytes: number[]) =>
    Array.from(nacl.sign.detached(Uint8Array.from(bytes), keys.secretKey)),
  );
  await context.addInitScript(
    ({ name, address, publicKey }) => {
      const w = globalThis as unknown as {
        addEventListener(type: string, fn: (e: { detail: unknown }) => void): void;
        dispatchEvent(e: unknown): boolean;
        CustomEvent: new (type: string, init: { detail: unknown }) => unknown;
        __testWalletSign(bytes: number[]): Promise<number[]>;
      };
      const chains = ["solana:mainnet", "solana:devnet"];
      const account = {
        address,
        publicKey: Uint8Array.from(publicKey),
        chains,
        features: ["solana:signMessage"],
      };
      const wallet = {
        version: "1.0.0",
        name,
        icon: "data:image/svg+xml;base64,PHN2ZyB4bWxucz0iaHR0cDovL3d3dy53My5vcmcvMjAwMC9zdmciLz4=",
        chains,
        accounts: [account],
        features: {
          "standard:connect": { version: "1.0.0", connect: async () => ({ accounts: [account] }) },
          "standard:events": { version: "1.0.0", on: () => () => {} },
          "solana:signMessage": {
            version: "1.0.0",
            signMessage: async (...inputs: { message: Uint8Array }[]) =>
              Promise.all(
                inputs.map(async (input) => ({
                  signedMessage: input.message,
                  signature: Uint8Array.from(await w.__testWalletSign(Array.from(input.message))),
                })),
              ),
          },
        },
      };
      const register = (api: { register(wallet: unknown): unknown }) => api.register(wallet);
      w.addEventListener("wallet-standard:app-ready", (e) => register(e.detail as never));
      w.dispatchEvent(new w.CustomEvent("wallet-standard:register-wallet", { detail: register }));
    },
    { name: TEST_WALLET_NAME, address, publicKey: Array.from(keys.publicKey) },
  );
  return address;
}
