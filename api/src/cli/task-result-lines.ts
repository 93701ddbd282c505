/**
 * A finished task's typed result as lines for a terminal (`neurogrid submit`): an OCR task's
 * lines with their confidence, a speech detection's segments in seconds, a generation's text,
 * else the result JSON; then one line of what it cost and where it ran.
 */
export interface SubmittedTask {
  id: string;
  status: string;
  kind: string;
  model: string;
  modelVersion: string;
  error: string | null;
  result: Record<string, unknown> | null;
  executionProvider: string | null;
  latencyMs: number | null;
  cost: { total: string; units: string } | null;
  ocr: { text: string; width: number; height: number; lines: { text: string; confidence: number }[] } | null;
  vad: { durationMs: number; segments: { startMs: number; endMs: number; probability: number }[] } | null;
  generation: { text: string; finishReason: string } | null;
}

const seconds = (ms: number) => `${(ms / 1000).toFixed(3)} s`;

export function typedResultLines(task: SubmittedTask): string[] {
  const lines: string[] = [];
  if (task.ocr) {
    for (const line of task.ocr.lines) lines.push(`${line.text}\t(${line.confidence.toFixed(2)})`);
    if (task.ocr.lines.length === 0)
      lines.push(`(no text in the ${task.ocr.width}x${task.ocr.height} image)`);
  } else if (task.vad) {
    for (const s of task.vad.segments)
      lines.push(`speech ${seconds(s.startMs)} - ${seconds(s.endMs)}\t(${s.probability.toFixed(2)})`);
    if (task.vad.segments.length === 0) lines.push(`(no speech in ${seconds(task.vad.durationMs)})`);
  } else if (task.generation) {
    lines.push(task.generation.text);
  } else if (task.result) {
    lines.push(JSON.stringify(task.result));
  }
  const cost = task.cost ? `, cost ${task.cost.total}` : "";
  const ran = task.executionProvider ? ` on ${task.executionProvider}` : "";
  lines.push(`task ${task.id} ${task.status} (${task.model}@${task.modelVersion}${ran}${cost})`);
  return lines;
}
