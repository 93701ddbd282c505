import { getWallets } from "@wallet-standard/app";
import { useEffect, useState } from "react";
import { useMutation } from "urql";
import { formatNeuro, formatTime } from "../money.js";
import { base58 } from "./base58.js";
import {
  LINK_WALLET,
  type LinkWalletData,
  type ProviderMeData,
  WALLET_CHALLENGE,
  type WalletChallengeData,
} from "./provider-operations.js";

/**
 * Earnings and the payout wallet. Wallets are found through the Wallet Standard (any wallet
 * extension that registers itself); linking signs the server's Sign-In With Solana challenge
 * with `solana:signMessage` and sends the base58 signature to linkWallet.
 */
type Wallet = ReturnType<ReturnType<typeof getWallets>["get"]>[number];
type WalletAccount = Wallet["accounts"][number];
interface ConnectFeature {
  connect(): Promise<{ accounts: readonly WalletAccount[] }>;
}
interface SignMessageFeature {
  signMessage(
    ...inputs: { account: WalletAccount; message: Uint8Array }[]
  ): Promise<readonly { signature: Uint8Array }[]>;
}

const canSign = (w: Wallet) => "standard:connect" in w.features && "solana:signMessage" in w.features;

function useSolanaWallets(): readonly Wallet[] {
  const [wallets, setWallets] = useState<readonly Wallet[]>([]);
  useEffect(() => {
    const api = getWallets();
    const refresh = () => setWallets(api.get().filter(canSign));
    refresh();
    const offRegister = api.on("register", refresh);
    const offUnregister = api.on("unregister", refresh);
    return () => {
      offRegister();
      offUnregister();
    };
  }, []);
  return wallets;
}

export function WalletCard({ me, onLinked }: { me: ProviderMeData | undefined; onLinked: () => void }) {
  const wallets = useSolanaWallets();
  const [, challenge] = useMutation<WalletChallengeData>(WALLET_CHALLENGE);
  const [, link] = useMutation<LinkWalletData>(LINK_WALLET);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);

  async function linkWith(wallet: Wallet) {
    setBusy(true);
    setError(null);
    try {
      const { accounts } = await (wallet.features["standard:connect"] as ConnectFeature).connect();
      const account = accounts[0];
      if (!account) throw new Error(`${wallet.name} shared no account`);
      const asked = await challenge({ address: account.address });
      if (!asked.data) throw new Error(asked.error?.message ?? "no challenge");
      const message = new TextEncoder().encode(asked.data.walletChallenge.message);
      const [signed] = await (wallet.features["solana:signMessage"] as SignMessageFeature).signMessage({
        account,
        message,
      });
      if (!signed) throw new Error(`${wallet.name} did not sign`);
      const linked = await link({
        message: asked.data.walletChallenge.message,
        signature: base58(signed.signature),
      });
      if (!linked.data) throw new Error(linked.error?.message ?? "linking failed");
      onLinked();
    } catch (err) {
      setError(err instanceof Error ? err.message : String(err));
    } finally {
      setBusy(false);
    }
  }

  return (
    <section className="card" aria-labelledby="wallet-title">
      <h2 id="wallet-title">Earnings and wallet</h2>
      <dl className="figures">
        <div>
          <dt>Earnings (not yet paid out)</dt>
          <dd>{formatNeuro(me?.me.balance.earnings)}</dd>
        </div>
        <div>
          <dt>Pending (until verified or its window passes)</dt>
          <dd>{formatNeuro(me?.me.balance.pending)}</dd>
        </div>
      </dl>
      <p>
        Payout wallet:{" "}
        {me?.wallet ? (
          <code data-testid="linked-wallet">{me.wallet.address}</code>
        ) : (
          <span className="muted">none linked</span>
        )}
      </p>
      {me?.wallet ? <p className="muted">linked {formatTime(me.wallet.linkedAt)}</p> : null}
      {wallets.length === 0 ? (
        <p className="muted">No Solana wallet found in this browser (a Wallet Standard extension).</p>
      ) : (
        <div className="stack">
          {wallets.map((w) => (
            <button key={w.name} type="button" disabled={busy} onClick={() => void linkWith(w)}>
              {me?.wallet ? "Change wallet" : "Link wallet"} with {w.name}
            </button>
          ))}
        </div>
      )}
      {error ? (
        <p role="alert" className="error">
          {error}
        </p>
      ) : null}
    </section>
  );
}
