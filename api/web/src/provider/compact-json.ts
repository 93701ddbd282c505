/** Significant digits a number keeps when a result is shown compactly. */
const SIGNIFICANT_DIGITS = 4;
/** Characters a compact result is cut to. */
const COMPACT_RESULT_CHARS = 160;

/**
 * A result as one short line: numbers to four significant digits, cut to `maxChars` with an
 * ellipsis, so three runs of a tensor model can be compared at a glance.
 */
export function compactJson(value: unknown, maxChars = COMPACT_RESULT_CHARS): string {
  if (value === undefined || value === null) return "—";
  const text = JSON.stringify(value, (_key, v: unknown) =>
    typeof v === "number" && Number.isFinite(v) ? Number(v.toPrecision(SIGNIFICANT_DIGITS)) : v,
  );
  return text.length > maxChars ? `${text.slice(0, maxChars - 1)}…` : text;
}
