import type { TaskFactsRow } from "./client-operations.js";
import { fmt, Waveform } from "./waveform.js";

type Vad = NonNullable<NonNullable<TaskFactsRow>["vad"]>;

/**
 * Where a speech-detection task found speech: the clip along its length (its waveform when the
 * page has the clip) with the segments marked, and a table of each segment's start, end and
 * mean probability.
 */
export function VadResult({ vad, peaks }: { vad: Vad; peaks: number[] }) {
  return (
    <div className="vad-result" data-testid="vad-result">
      <Waveform durationMs={vad.durationMs} peaks={peaks} segments={vad.segments} />
      <div className="table-wrap">
        <table aria-label="Speech segments">
          <thead>
            <tr>
              <th scope="col">Start</th>
              <th scope="col">End</th>
              <th scope="col">Probability</th>
            </tr>
          </thead>
          <tbody>
            {vad.segments.length === 0 ? (
              <tr>
                <td colSpan={3} className="muted">
                  no speech in this {fmt(vad.durationMs)} clip
                </td>
              </tr>
            ) : (
              vad.segments.map((s) => (
                <tr key={`${s.startMs}-${s.endMs}`} data-testid="speech-segment">
                  <td>{fmt(s.startMs)}</td>
                  <td>{fmt(s.endMs)}</td>
                  <td>{s.probability.toFixed(2)}</td>
                </tr>
              ))
            )}
          </tbody>
        </table>
      </div>
    </div>
  );
}
