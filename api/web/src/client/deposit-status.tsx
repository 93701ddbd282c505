import { useEffect, useRef } from "react";
import { useSubscription } from "urql";
import { formatNeuro } from "../money.js";
import { DEPOSIT_STATUS, type DepositStatusData, type DepositStatusEvent } from "./deposit-operations.js";

/** A deposit request's status as the subscription tells it: PENDING, SEEN, then CREDITED or EXPIRED. */
export function DepositStatus({ reference, onCredited }: { reference: string; onCredited: () => void }) {
  const [{ data: latest, error }] = useSubscription<DepositStatusData, DepositStatusEvent | undefined>(
    { query: DEPOSIT_STATUS, variables: { reference } },
    (_previous, next) => next.depositStatus,
  );
  const credited = latest?.status === "CREDITED";
  const told = useRef(false);
  useEffect(() => {
    if (credited && !told.current) {
      told.current = true;
      onCredited();
    }
  }, [credited, onCredited]);

  return (
    <div aria-live="polite">
      {error ? <p className="error">{error.message}</p> : null}
      <p>
        Status:{" "}
        <strong
          data-testid="deposit-status"
          className={`state state-${(latest?.status ?? "").toLowerCase()}`}
        >
          {latest?.status ?? "…"}
        </strong>
        {credited ? <span> — {formatNeuro(latest.amount)} credited</span> : null}
      </p>
      {latest?.signature ? (
        <p className="muted">
          Transaction <code data-testid="deposit-signature">{latest.signature}</code>
        </p>
      ) : null}
    </div>
  );
}
