import type { Keypair } from "@solana/web3.js";
import bs58 from "bs58";
import nacl from "tweetnacl";
import { graphqlRequest } from "./graphql-clients.js";

/** Links `wallet` to the caller's account through the public API, signing the challenge as a wallet app does. */
export async function linkWalletThroughApi(url: string, key: string, wallet: Keypair): Promise<void> {
  const challenge = await graphqlRequest<{ walletChallenge: { message: string } }>(
    url,
    key,
    "mutation($a: String!) { walletChallenge(address: $a) { message } }",
    { a: wallet.publicKey.toBase58() },
  );
  const message = challenge.data?.walletChallenge.message;
  if (!message) throw new Error(`no challenge: ${JSON.stringify(challenge.errors)}`);
  const signature = bs58.encode(nacl.sign.detached(new TextEncoder().encode(message), wallet.secretKey));
  const linked = await graphqlRequest(
    url,
    key,
    "mutation($m: String!, $s: String!) { linkWallet(message: $m, signature: $s) { address } }",
    { m: message, s: signature },
  );
  if (linked.errors) throw new Error(`linkWallet failed: ${JSON.stringify(linked.errors)}`);
}
