import { formatNeuro } from "../money.js";
import type { TaskFactsRow } from "./client-operations.js";
import type { MediaPreview } from "./media-file.js";
import { OcrResult } from "./ocr-result.js";
import { VadResult } from "./vad-result.js";

/**
 * What a final task cost and where it ran: the cost breakdown, node, execution provider, and its
 * result: typed for OCR (lines and boxes, over the image when `media` has it) and speech
 * detection (segments, over the waveform), and as stored JSON.
 */
export function TaskFacts({ task, media }: { task: TaskFactsRow; media: MediaPreview }) {
  const { cost } = task;
  return (
    <>
      {task.ocr ? <OcrResult ocr={task.ocr} imageUrl={media.imageUrl} /> : null}
      {task.vad ? <VadResult vad={task.vad} peaks={media.peaks ?? []} /> : null}
      <dl className="figures" aria-label="Cost breakdown">
        <div>
          <dt>Cost</dt>
          <dd data-testid="task-cost">{formatNeuro(cost?.total)}</dd>
        </div>
        <div>
          <dt>Units</dt>
          <dd data-testid="task-units">{cost?.units ?? "—"}</dd>
        </div>
        <div>
          <dt>Platform fee</dt>
          <dd data-testid="task-platform-fee">{formatNeuro(cost?.platformFee)}</dd>
        </div>
        <div>
          <dt>Provider earning</dt>
          <dd data-testid="task-provider-earning">{formatNeuro(cost?.providerEarning)}</dd>
        </div>
      </dl>
      <dl className="figures">
        <div>
          <dt>Node</dt>
          <dd data-testid="task-node">{task.nodeId ?? "—"}</dd>
        </div>
        <div>
          <dt>Execution provider</dt>
          <dd data-testid="task-execution-provider">{task.executionProvider ?? "—"}</dd>
        </div>
        <div>
          <dt>Latency</dt>
          <dd>{task.latencyMs === null ? "—" : `${Math.round(task.latencyMs)} ms`}</dd>
        </div>
      </dl>
      {task.error ? <p className="error">{task.error}</p> : null}
      {task.result ? (
        <details>
          <summary>Result</summary>
          <pre className="result" data-testid="task-result">
            {JSON.stringify(task.result, null, 1)}
          </pre>
        </details>
      ) : null}
    </>
  );
}
