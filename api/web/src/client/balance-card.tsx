import { useEffect } from "react";
import { useQuery } from "urql";
import { formatNeuro } from "../money.js";
import { ME, type MeData } from "./client-operations.js";

export function BalanceCard({ refreshKey }: { refreshKey: number }) {
  const [{ data, error }, reexecute] = useQuery<MeData>({ query: ME });
  useEffect(() => {
    if (refreshKey > 0) reexecute({ requestPolicy: "network-only" });
  }, [refreshKey, reexecute]);
  const balance = data?.me.balance;
  return (
    <section className="card" aria-labelledby="balance-title">
      <h2 id="balance-title">Balance</h2>
      {error ? <p className="error">{error.message}</p> : null}
      <dl className="figures">
        <div>
          <dt>Available</dt>
          <dd data-testid="balance-available">{formatNeuro(balance?.available)}</dd>
        </div>
        <div>
          <dt>In escrow</dt>
          <dd data-testid="balance-held">{formatNeuro(balance?.held)}</dd>
        </div>
      </dl>
    </section>
  );
}
