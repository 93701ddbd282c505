/** The drawing's own units: it is scaled to the width it is given. */
const WIDTH = 1000;
const HEIGHT = 120;

export interface Segment {
  startMs: number;
  endMs: number;
  probability: number;
}

/**
 * A clip as a bar along its length: its waveform where the page could read one, and the speech
 * segments marked over it. The segments are listed in text next to it (VadResult), so the
 * drawing is one image with a summary for screen readers.
 */
export function Waveform({
  durationMs,
  peaks,
  segments,
}: {
  durationMs: number;
  peaks: number[];
  segments: Segment[];
}) {
  const x = (ms: number) =>
    durationMs > 0 ? (Math.max(0, Math.min(ms, durationMs)) / durationMs) * WIDTH : 0;
  const step = peaks.length > 0 ? WIDTH / peaks.length : 0;
  const mid = HEIGHT / 2;
  const wave = peaks
    .map((p, i) => `M${(i + 0.5) * step} ${mid - p * mid}V${mid + Math.max(p * mid, 0.5)}`)
    .join("");
  const label = `${(durationMs / 1000).toFixed(2)} s clip${
    segments.length > 0
      ? `, speech at ${segments.map((s) => `${fmt(s.startMs)}–${fmt(s.endMs)}`).join(", ")}`
      : ""
  }`;
  return (
    <svg
      className="waveform"
      viewBox={`0 0 ${WIDTH} ${HEIGHT}`}
      preserveAspectRatio="none"
      role="img"
      aria-label={label}
      data-testid="waveform"
    >
      <rect x={0} y={0} width={WIDTH} height={HEIGHT} className="waveform-bg" />
      {segments.map((s) => (
        <rect
          key={`${s.startMs}-${s.endMs}`}
          x={x(s.startMs)}
          y={0}
          width={Math.max(1, x(s.endMs) - x(s.startMs))}
          height={HEIGHT}
          className="speech"
          data-testid="speech-mark"
        />
      ))}
      {wave ? <path d={wave} className="wave" vectorEffect="non-scaling-stroke" /> : null}
      {peaks.length === 0 ? <line x1={0} x2={WIDTH} y1={mid} y2={mid} className="wave" /> : null}
    </svg>
  );
}

/** Milliseconds as seconds to two places: "1.53 s". */
export function fmt(ms: number): string {
  return `${(ms / 1000).toFixed(2)} s`;
}
