import type { TaskFactsRow } from "./client-operations.js";

type Ocr = NonNullable<NonNullable<TaskFactsRow>["ocr"]>;

/** Lines have no id; where each sits, and what it says, tells them apart. */
const lineKey = (line: Ocr["lines"][number]) => `${line.box.x0},${line.box.y0},${line.box.x1},${line.text}`;

/**
 * What an OCR task read: the image with each recognised line's box drawn over it (numbered as
 * in the list), then the lines with their text and confidence. Without the image (it is not at
 * hand) the boxes are drawn on a blank of the image's size.
 */
export function OcrResult({ ocr, imageUrl }: { ocr: Ocr; imageUrl: string | undefined }) {
  return (
    <div className="ocr-result" data-testid="ocr-result">
      <figure className="ocr-figure">
        <div className="ocr-canvas">
          {imageUrl ? (
            <img src={imageUrl} alt="What was sent to be read" />
          ) : (
            <div className="ocr-blank" style={{ aspectRatio: `${ocr.width} / ${ocr.height}` }} />
          )}
          <svg
            viewBox={`0 0 ${ocr.width} ${ocr.height}`}
            preserveAspectRatio="none"
            aria-hidden="true"
            data-testid="ocr-boxes"
          >
            {ocr.lines.map((line) => (
              <rect
                key={lineKey(line)}
                x={line.box.x0}
                y={line.box.y0}
                width={Math.max(1, line.box.x1 - line.box.x0)}
                height={Math.max(1, line.box.y1 - line.box.y0)}
                className="ocr-box"
                vectorEffect="non-scaling-stroke"
              />
            ))}
          </svg>
        </div>
        <figcaption className="muted">
          {ocr.width}×{ocr.height} px, {ocr.lines.length} {ocr.lines.length === 1 ? "line" : "lines"} found
        </figcaption>
      </figure>
      <div className="table-wrap">
        <table aria-label="Recognised lines">
          <thead>
            <tr>
              <th scope="col">#</th>
              <th scope="col">Text</th>
              <th scope="col">Confidence</th>
            </tr>
          </thead>
          <tbody>
            {ocr.lines.map((line, i) => (
              <tr key={lineKey(line)}>
                <td>{i + 1}</td>
                <td data-testid="ocr-line-text">{line.text}</td>
                <td data-testid="ocr-line-confidence">{(line.confidence * 100).toFixed(1)}%</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </div>
  );
}
