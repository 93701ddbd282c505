import { type DragEvent, useId, useState } from "react";
import {
  formatBytes,
  MAX_AUDIO_BYTES,
  MAX_AUDIO_MS,
  MAX_IMAGE_BYTES,
  type MediaKind,
  type PickedFile,
  readPicked,
} from "./media-file.js";
import { Waveform } from "./waveform.js";

const ACCEPT: Record<MediaKind, string> = {
  image: "image/png,image/jpeg",
  audio: "audio/wav,audio/x-wav,audio/wave,.wav",
  pcm: ".pcm,.raw,.s16le,application/octet-stream",
};

/**
 * A file input that also takes a dropped file: an OCR image (PNG or JPEG), a WAV clip or raw
 * 16 kHz mono pcm_s16le audio. It
 * shows the file's name and size, and a preview (the image, or the clip's waveform and length);
 * a file over the limits is refused here with the reason, and the server's refusal of a file it
 * took (BAD_USER_INPUT naming this field) is shown under it.
 */
export function MediaPicker({
  kind,
  picked,
  onPicked,
  serverError,
}: {
  kind: MediaKind;
  picked: PickedFile | null;
  onPicked: (file: PickedFile | null) => void;
  serverError: string | null;
}) {
  const id = useId();
  const [refusal, setRefusal] = useState<string | null>(null);
  const [over, setOver] = useState(false);
  const [unviewable, setUnviewable] = useState(false);
  const problem = refusal ?? serverError;

  async function take(file: File | undefined) {
    if (!file) return;
    setUnviewable(false);
    try {
      onPicked(await readPicked(kind, file));
      setRefusal(null);
    } catch (err) {
      onPicked(null);
      setRefusal(err instanceof Error ? err.message : String(err));
    }
  }

  function drop(event: DragEvent<HTMLFieldSetElement>) {
    event.preventDefault();
    setOver(false);
    void take(event.dataTransfer.files[0]);
  }

  const limit =
    kind === "image"
      ? `PNG or JPEG, at most ${formatBytes(MAX_IMAGE_BYTES)}`
      : `${kind === "pcm" ? "Raw 16 kHz mono 16-bit little-endian PCM" : "WAV"}, at most ${MAX_AUDIO_MS / 1000} s and ${formatBytes(MAX_AUDIO_BYTES)}`;
  return (
    <fieldset
      className={`drop-zone${over ? " over" : ""}`}
      onDragOver={(e) => {
        e.preventDefault();
        setOver(true);
      }}
      onDragLeave={() => setOver(false)}
      onDrop={drop}
      data-testid="drop-zone"
    >
      <label htmlFor={id}>{kind === "image" ? "Image" : "Audio clip"}</label>
      <input
        id={id}
        type="file"
        accept={ACCEPT[kind]}
        aria-describedby={`${id}-hint${problem ? ` ${id}-problem` : ""}`}
        aria-invalid={problem ? true : undefined}
        onChange={(e) => void take(e.target.files?.[0])}
      />
      <p id={`${id}-hint`} className="muted">
        {limit}; or drop a file here.
      </p>
      {problem ? (
        <p id={`${id}-problem`} className="error" role="alert" data-testid="file-error">
          {problem}
        </p>
      ) : null}
      {picked ? (
        <div className="picked">
          <p data-testid="picked-file">
            {picked.name} — {formatBytes(picked.bytes)}
            {picked.wav ? `, ${(picked.wav.durationMs / 1000).toFixed(2)} s at ${picked.wav.rateHz} Hz` : ""}
          </p>
          {picked.imageUrl && !unviewable ? (
            <img
              className="preview"
              src={picked.imageUrl}
              alt={`Preview of ${picked.name}`}
              onError={() => setUnviewable(true)}
            />
          ) : null}
          {unviewable ? <p className="muted">The browser cannot show this file as an image.</p> : null}
          {picked.wav ? (
            <Waveform durationMs={picked.wav.durationMs} peaks={picked.wav.peaks} segments={[]} />
          ) : null}
        </div>
      ) : null}
    </fieldset>
  );
}
