/** NEURO has 9 decimals; amounts travel as decimal integer strings of the smallest unit. */
const DECIMALS = 9;

/** "1500000000" -> "1.500000000 NEURO" (every decimal shown, so a difference reads exactly). */
export function formatNeuro(amount: string | null | undefined): string {
  if (amount === null || amount === undefined) return "—";
  const negative = amount.startsWith("-");
  const digits = (negative ? amount.slice(1) : amount).padStart(DECIMALS + 1, "0");
  const whole = digits.slice(0, -DECIMALS);
  const frac = digits.slice(-DECIMALS);
  return `${negative ? "-" : ""}${whole}.${frac} NEURO`;
}

export function formatTime(iso: string | null | undefined): string {
  if (!iso) return "—";
  const d = new Date(iso);
  return `${d.toLocaleDateString()} ${d.toLocaleTimeString()}.${String(d.getMilliseconds()).padStart(3, "0")}`;
}

/** "2.5" -> "2500000000"; null when the text is not a positive amount with at most 9 decimals. */
export function parseNeuro(text: string): string | null {
  const match = /^(\d+)(?:\.(\d{1,9}))?$/.exec(text.trim());
  if (!match) return null;
  const units = BigInt(`${match[1]}${(match[2] ?? "").padEnd(DECIMALS, "0")}`);
  return units > 0n ? units.toString() : null;
}
