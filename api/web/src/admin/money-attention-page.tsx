import { useEffect, useState } from "react";
import { useQuery, useSubscription } from "urql";
import type {
  AdminPayoutStatusSubscription,
  MoneyNeedingAttentionQuery,
  MoneyNeedingAttentionVariables,
} from "../generated/operation-types.js";
import { formatNeuro, formatTime } from "../money.js";
import { ADMIN_PAYOUT_STATUS, MONEY_NEEDING_ATTENTION } from "./admin-pages-operations.js";

/**
 * Payouts and withdrawals that failed or are stuck PENDING, deposits seen on chain but not
 * credited, and transfers to the treasury credited to nobody. A payout's change (payoutStatus)
 * reads the list again at once; withdrawals and deposits have no subscription an admin can
 * follow, so the list is also read again every REFRESH_MS.
 */
const REFRESH_MS = 15_000;
const STUCK_CHOICES = [10, 30, 60, 240, 1440];

export function MoneyAttentionPage() {
  const [minutes, setMinutes] = useState(30);
  const [{ data, error }, reload] = useQuery<MoneyNeedingAttentionQuery, MoneyNeedingAttentionVariables>({
    query: MONEY_NEEDING_ATTENTION,
    variables: { stuckAfterMinutes: minutes },
    requestPolicy: "cache-and-network",
  });
  const [{ data: payoutEvent }] = useSubscription<AdminPayoutStatusSubscription>({
    query: ADMIN_PAYOUT_STATUS,
  });
  useEffect(() => {
    if (payoutEvent) reload({ requestPolicy: "network-only" });
  }, [payoutEvent, reload]);
  useEffect(() => {
    const timer = setInterval(() => reload({ requestPolicy: "network-only" }), REFRESH_MS);
    return () => clearInterval(timer);
  }, [reload]);
  const items = data?.moneyNeedingAttention ?? [];
  const unmatched = data?.unmatchedDeposits ?? [];
  return (
    <div className="grid">
      <section className="card wide" aria-labelledby="attention-title">
        <h2 id="attention-title">Money needing attention</h2>
        <label className="inline">
          Stuck after
          <select value={minutes} onChange={(e) => setMinutes(Number(e.target.value))}>
            {STUCK_CHOICES.map((m) => (
              <option key={m} value={m}>
                {m < 60 ? `${m} minutes` : `${m / 60} hour${m === 60 ? "" : "s"}`}
              </option>
            ))}
          </select>
        </label>
        {error ? <p className="error">{error.message}</p> : null}
        <p className="muted" data-testid="attention-count" aria-live="polite">
          {data ? (items.length === 0 ? "Nothing needs attention." : `${items.length} need attention`) : "…"}
        </p>
        <div className="table-wrap">
          <table>
            <caption className="sr-only">
              Failed or stuck payouts, withdrawals and deposits, oldest first
            </caption>
            <thead>
              <tr>
                <th scope="col">Kind</th>
                <th scope="col">Account</th>
                <th scope="col">Amount</th>
                <th scope="col">Why</th>
                <th scope="col">Error</th>
                <th scope="col">Since</th>
              </tr>
            </thead>
            <tbody>
              {items.map((i) => (
                <tr key={`${i.kind}-${i.id}`} data-testid={`attention-${i.kind}`}>
                  <td>{i.kind}</td>
                  <td>{i.accountName}</td>
                  <td>{formatNeuro(i.amount)}</td>
                  <td>
                    <span className={`state state-${i.reason.toLowerCase()}`}>{i.reason}</span>{" "}
                    <span className="muted">{i.status}</span>
                  </td>
                  <td className="wrap">
                    {i.error ?? "—"}
                    {i.signature ? <code className="wrap"> {i.signature}</code> : null}
                  </td>
                  <td>{formatTime(i.createdAt)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      </section>
      <section className="card wide" aria-labelledby="unmatched-title">
        <h2 id="unmatched-title">Transfers credited to nobody</h2>
        {unmatched.length === 0 ? <p className="muted">None.</p> : null}
        <ul className="plain">
          {unmatched.map((t) => (
            <li key={t.signature}>
              <strong>{formatNeuro(t.amount)}</strong> from{" "}
              <code className="wrap">{t.sender ?? "unknown"}</code> — {t.reason ?? "unmatched"},{" "}
              {formatTime(t.seenAt)}
            </li>
          ))}
        </ul>
      </section>
    </div>
  );
}
