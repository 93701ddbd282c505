import { type FormEvent, useMemo, useState } from "react";
import { type CombinedError, useMutation, useQuery } from "urql";
import { formatNeuro } from "../money.js";
import {
  type ModelInput,
  PLAYGROUND_MODELS,
  type PlaygroundModelsData,
  SUBMIT_TASK,
  type SubmitTaskData,
} from "./client-operations.js";
import type { MediaPreview, PickedFile } from "./media-file.js";
import { MediaPicker } from "./media-picker.js";
import { TaskTimeline } from "./task-timeline.js";

/** Output tokens a streaming prompt asks for unless the person says otherwise. */
const DEFAULT_MAX_TOKENS = 40;
const DEFAULT_PROMPT = "Alice was beginning";

/** The file field each media kind sends, as submitTask's input names it. */
const MEDIA_FIELD = { OCR: "image", VAD: "audio" } as const;

/**
 * The playground: pick a model, and its kind picks the form: tensors as JSON (TENSOR), a prompt
 * (GENERATE, streamed), an image to read (OCR) or a WAV clip to find speech in (VAD); submit,
 * watch the task live (a language model's tokens as they come), then its cost and typed result.
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
  const kind = model?.kind;
  const streaming = kind === "GENERATE";
  const mediaField = kind === "OCR" || kind === "VAD" ? MEDIA_FIELD[kind] : null;
  const [prompt, setPrompt] = useState(DEFAULT_PROMPT);
  const [maxTokens, setMaxTokens] = useState(DEFAULT_MAX_TOKENS);
  const [picked, setPicked] = useState<PickedFile | null>(null);
  const [audioFormat, setAudioFormat] = useState<"wav" | "pcm_s16le">("wav");
  const [sent, setSent] = useState<MediaPreview>({});
  const [shownError, setShownError] = useState<CombinedError | null>(null);
  const fieldError = mediaField ? errorOfParam(shownError, mediaField) : null;
  const formError = shownError && !fieldError ? shownError.message : null;

  async function run(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    if (!model) return;
    let input: unknown = { prompt, maxTokens };
    if (mediaField) {
      if (!picked) {
        setParseError(`choose ${mediaField === "image" ? "an image" : "a WAV clip"} first`);
        return;
      }
      input =
        mediaField === "audio" && audioFormat === "pcm_s16le"
          ? { audio: picked.base64, format: audioFormat }
          : { [mediaField]: picked.base64 };
    } else if (!streaming) {
      try {
        input = JSON.parse(text);
      } catch (err) {
        setParseError(`the input is not JSON: ${err instanceof Error ? err.message : String(err)}`);
        return;
      }
    }
    setParseError(null);
    setTaskId(null);
    const answer = await submit({ input: { model: model.name, version: model.version, input } });
    setShownError(answer.error ?? null);
    if (answer.data) {
      setSent(picked ? { imageUrl: picked.imageUrl, peaks: picked.wav?.peaks ?? [] } : {});
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
              setPicked(null);
              setShownError(null);
              setParseError(null);
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
        {mediaField === "audio" ? (
          <label>
            Audio format
            <select
              value={audioFormat}
              onChange={(e) => {
                setAudioFormat(e.target.value === "pcm_s16le" ? "pcm_s16le" : "wav");
                setPicked(null);
                setShownError(null);
              }}
            >
              <option value="wav">WAV file</option>
              <option value="pcm_s16le">Raw PCM (16 kHz mono, s16le)</option>
            </select>
          </label>
        ) : null}
        {mediaField ? (
          <MediaPicker
            key={`${mediaField}-${audioFormat}`}
            kind={mediaField === "audio" && audioFormat === "pcm_s16le" ? "pcm" : mediaField}
            picked={picked}
            onPicked={(file) => {
              setPicked(file);
              setShownError(null);
            }}
            serverError={fieldError}
          />
        ) : streaming ? (
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
        {formError ? (
          <p className="error" role="alert" data-testid="form-error">
            {formError}
          </p>
        ) : null}
        <button type="submit" disabled={!model || submitted.fetching}>
          Run task
        </button>
      </form>
      {taskId ? <TaskTimeline key={taskId} taskId={taskId} onFinal={onMoneyMoved} media={sent} /> : null}
    </section>
  );
}

/** The server's message when it refused the field `param` (BAD_USER_INPUT naming it). */
function errorOfParam(error: CombinedError | null, param: string): string | null {
  const refusal = error?.graphQLErrors.find((e) => e.extensions?.param === param);
  return refusal ? refusal.message : null;
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
