import { type FormEvent, useMemo, useState } from "react";
import { useMutation, useQuery } from "urql";
import { formatNeuro } from "../money.js";
import {
  type ModelInput,
  PLAYGROUND_MODELS,
  type PlaygroundModelsData,
  SUBMIT_TASK,
  type SubmitTaskData,
} from "./client-operations.js";
import { TaskTimeline } from "./task-timeline.js";

/** Output tokens a streaming prompt asks for unless the person says otherwise. */
const DEFAULT_MAX_TOKENS = 40;
const DEFAULT_PROMPT = "Alice was beginning";

/**
 * The playground: pick a model, edit its input (tensors as JSON, or a prompt for a streaming
 * language model), submit, watch the task live (a language model's tokens as they come).
 */
export function Playground({ onMoneyMoved }: { onMoneyMoved: () => void }) {
  const [{ data, error }] = useQuery<PlaygroundModelsData>({ query: PLAYGROUND_MODELS });
  const models = useMemo(() => data?.models.edges.map((e) => e.node) ?? [], [data]);
  const [modelId, setModelId] = useState<string | null>(null);
  const model = models.find((m) => m.id === modelId) ?? models[0];
  const [inputText, setInputText] = useState<string | null>(null);
  const [parseError, setParseError] = useState<string | null>(null);
  const [submitted, submit] = useMutation<SubmitTaskData>(SUBMIT_TASK);
  const [taskId, setTaskId] = useState<string | null>(null);
  const text = inputText ?? (model ? JSON.stringify(exampleInput(model.inputs as ModelInput[])) : "");
  const streaming = model?.pricing.unit === "output_token";
  const [prompt, setPrompt] = useState(DEFAULT_PROMPT);
  const [maxTokens, setMaxTokens] = useState(DEFAULT_MAX_TOKENS);

  async function run(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    if (!model) return;
    let input: unknown = { prompt, maxTokens };
    if (!streaming) {
      try {
        input = JSON.parse(text);
      } catch (err) {
        setParseError(`the input is not JSON: ${err instanceof Error ? err.message : String(err)}`);
        return;
      }
    }
    setParseError(null);
    const answer = await submit({ input: { model: model.name, version: model.version, input } });
    if (answer.data) {
      setTaskId(answer.data.submitTask.id);
      onMoneyMoved();
    }
  }

  return (
    <section className="card wide" aria-labelledby="playground-title">
      <h2 id="playground-title">Playground</h2>
      {error ? <p className="error">{error.message}</p> : null}
      <form onSubmit={run} className="stack">
        <label>
          Model
          <select
            value={model?.id ?? ""}
            onChange={(e) => {
              setModelId(e.target.value);
              setInputText(null);
            }}
          >
            {models.map((m) => (
              <option key={m.id} value={m.id}>
                {m.name}@{m.version} — {formatNeuro(m.pricePerCall)} per call
              </option>
            ))}
          </select>
        </label>
        {model ? <p className="muted">{model.description}</p> : null}
        {streaming ? (
          <>
            <label>
              Prompt
              <textarea rows={3} value={prompt} onChange={(e) => setPrompt(e.target.value)} />
            </label>
            <label>
              Max tokens
              <input
                type="number"
                min={1}
                max={model?.pricing.maxUnits}
                value={maxTokens}
                onChange={(e) => setMaxTokens(Number(e.target.value))}
              />
            </label>
          </>
        ) : (
          <label>
            Input tensors (JSON)
            <textarea
              rows={4}
              value={text}
              onChange={(e) => setInputText(e.target.value)}
              spellCheck={false}
            />
          </label>
        )}
        {parseError ? <p className="error">{parseError}</p> : null}
        {submitted.error ? <p className="error">{submitted.error.message}</p> : null}
        <button type="submit" disabled={!model || submitted.fetching}>
          Run task
        </button>
      </form>
      {taskId ? <TaskTimeline key={taskId} taskId={taskId} onFinal={onMoneyMoved} /> : null}
    </section>
  );
}

/** An input that fits the declared shapes: dynamic dimensions become 1, values a small wave. */
function exampleInput(inputs: ModelInput[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const input of inputs) {
    const shape = (input.shape ?? [1]).map((d) => (d > 0 ? d : 1));
    let i = 0;
    const fill = (dims: number[]): unknown =>
      dims.length === 0
        ? Math.round(Math.sin(i++) * 100) / 100
        : Array.from({ length: dims[0] ?? 1 }, () => fill(dims.slice(1)));
    out[input.name] = fill(shape);
  }
  return out;
}
