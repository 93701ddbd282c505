import { useQuery } from "urql";
import { formatNeuro } from "../money.js";
import { PLATFORM_LEDGER, type PlatformLedgerData } from "./admin-operations.js";

/** The ledger check: totals by account kind, and whether every entry and balance adds up. */
export function LedgerCheckCard() {
  const [{ data, error, fetching }, reload] = useQuery<PlatformLedgerData>({ query: PLATFORM_LEDGER });
  const ledger = data?.platformLedger;
  return (
    <section className="card" aria-labelledby="ledger-check-title">
      <h2 id="ledger-check-title">Ledger check</h2>
      {error ? <p className="error">{error.message}</p> : null}
      {ledger ? (
        <p data-testid="ledger-balanced" className={ledger.balanced ? "state-completed" : "error"}>
          {ledger.balanced
            ? "Balanced: every entry and balance adds up."
            : "NOT balanced: look at the ledger now."}
        </p>
      ) : null}
      <ul className="plain">
        {ledger?.totals.map((t) => (
          <li key={t.kind}>
            {t.kind} ({t.accounts}): {formatNeuro(t.balance)}
          </li>
        ))}
      </ul>
      <button
        type="button"
        className="secondary"
        disabled={fetching}
        onClick={() => reload({ requestPolicy: "network-only" })}
      >
        Check again
      </button>
    </section>
  );
}
