import { useEffect } from "react";
import { useQuery, useSubscription } from "urql";
import { formatNeuro, formatTime } from "../money.js";
import { PAYOUT_STATUS, PAYOUTS, type PayoutsData } from "./provider-operations.js";

/** Payouts with their transaction signatures; read again whenever payoutStatus reports a change. */
export function PayoutsCard() {
  const [{ data, error }, reload] = useQuery<PayoutsData>({ query: PAYOUTS });
  const [{ data: changes = 0 }] = useSubscription<unknown, number>(
    { query: PAYOUT_STATUS },
    (n = 0) => n + 1,
  );
  useEffect(() => {
    if (changes > 0) reload({ requestPolicy: "network-only" });
  }, [changes, reload]);
  const payouts = data?.payouts.edges.map((e) => e.node) ?? [];
  return (
    <section className="card" aria-labelledby="payouts-title">
      <h2 id="payouts-title">Payouts</h2>
      {error ? <p className="error">{error.message}</p> : null}
      {payouts.length === 0 ? <p className="muted">No payouts yet.</p> : null}
      <ul className="plain">
        {payouts.map((p) => (
          <li key={p.id}>
            <strong>{formatNeuro(p.amount)}</strong>{" "}
            <span className={`state state-${p.status.toLowerCase()}`}>{p.status}</span>
            <div className="muted">
              {formatTime(p.settledAt ?? p.createdAt)}
              {p.signature ? (
                <>
                  {" "}
                  · tx <code>{p.signature}</code>
                </>
              ) : null}
            </div>
          </li>
        ))}
      </ul>
    </section>
  );
}
