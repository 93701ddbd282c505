import { type FormEvent, useState } from "react";
import { useMutation } from "urql";
import { formatTime, parseNeuro } from "../money.js";
import { DEPOSIT_REQUEST, type DepositRequestData } from "./deposit-operations.js";
import { DepositStatus } from "./deposit-status.js";

/** Square size the QR code is drawn at, in CSS pixels (the PNG scales down on a phone). */
const QR_SIZE_PX = 220;

/**
 * Deposit NEURO: ask for a Solana Pay transfer request, show its URL (a wallet link) and its QR
 * code, then follow its status live until the deposit is credited or expires.
 */
export function DepositPanel({ onMoneyMoved }: { onMoneyMoved: () => void }) {
  const [amountText, setAmountText] = useState("");
  const [invalid, setInvalid] = useState(false);
  const [requested, request] = useMutation<DepositRequestData>(DEPOSIT_REQUEST);
  const made = requested.data?.depositRequest;

  async function ask(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const amount = parseNeuro(amountText);
    setInvalid(amount === null);
    if (amount !== null) await request({ amount });
  }

  return (
    <section className="card" aria-labelledby="deposit-title">
      <h2 id="deposit-title">Deposit</h2>
      <form onSubmit={ask} className="stack">
        <label>
          Amount (NEURO)
          <input
            inputMode="decimal"
            value={amountText}
            onChange={(e) => setAmountText(e.target.value)}
            placeholder="2.5"
            aria-invalid={invalid}
          />
        </label>
        {invalid ? <p className="error">a positive amount with at most 9 decimals</p> : null}
        {requested.error ? <p className="error">{requested.error.message}</p> : null}
        <button type="submit" disabled={requested.fetching}>
          Request deposit
        </button>
      </form>
      {made ? (
        <div className="deposit">
          <img
            className="qr"
            src={made.qrCode}
            width={QR_SIZE_PX}
            height={QR_SIZE_PX}
            alt="Solana Pay QR code of this deposit request"
            data-testid="deposit-qr"
          />
          <p>
            <a href={made.url}>Open in a wallet</a> or scan the code. Pay before {formatTime(made.expiresAt)}.
          </p>
          <code className="secret" data-testid="deposit-url">
            {made.url}
          </code>
          <DepositStatus key={made.reference} reference={made.reference} onCredited={onMoneyMoved} />
        </div>
      ) : null}
    </section>
  );
}
