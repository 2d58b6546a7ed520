// Tesseract through tesseract.js, with the English LSTM model that @tesseract.js-data/eng ships in
// npm. Nothing is fetched: the model is read from that package's folder with tesseract.js's cache
// switched off (so nothing is looked for in, or written to, the working directory), and the
// WebAssembly core is `require`d from tesseract.js-core by tesseract.js's own Node worker script.
// Recognition runs in that worker thread; a page that runs past its time limit terminates the
// thread, and the next page starts a fresh one.

import { createRequire } from "node:module";
import path from "node:path";
import { createWorker, OEM, PSM, type Worker } from "tesseract.js";
import { ocrParagraphs, type OcrParagraph } from "./paragraphs";

const require = createRequire(import.meta.url);

/** The two English models @tesseract.js-data/eng ships: LSTM "best" (integer), and legacy + LSTM. */
export const OCR_MODELS = ["4.0.0_best_int", "4.0.0"] as const;
export type OcrModel = (typeof OCR_MODELS)[number];

/** The 3 MB integer "best" LSTM model; `npm run bench:ocr -- --compare-models` measures it against the 11 MB one. */
const MODEL: OcrModel = "4.0.0_best_int";
const LANGUAGE = "eng";

function engineId(model: OcrModel): string {
  return `tesseract.js ${packageVersion("tesseract.js")}, ${LANGUAGE} ${model}`;
}

function packageVersion(name: string): string {
  return (require(`${name}/package.json`) as { version: string }).version;
}

export function modelFolder(model: OcrModel = MODEL): string {
  return path.join(path.dirname(require.resolve(`@tesseract.js-data/${LANGUAGE}/package.json`)), model);
}

export interface OcrResult {
  /** Tesseract's mean word confidence for the page, 0–100. */
  confidence: number;
  paragraphs: OcrParagraph[];
}

export class OcrTimeoutError extends Error {
  constructor(readonly timeoutMs: number) {
    super(`OCR took longer than ${Math.round(timeoutMs / 1000)} s`);
    this.name = "OcrTimeoutError";
  }
}

/** Tesseract could not read the picture at all (not an image it knows, or damaged). */
export class OcrImageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "OcrImageError";
  }
}

export interface OcrEngine {
  readonly id: string;
  /** An encoded image (PNG, JPEG, TIFF, PNM) in, paragraphs with confidences out. */
  recognize(image: Uint8Array, options: { timeoutMs: number }): Promise<OcrResult>;
  close(): Promise<void>;
}

export function createOcrEngine({ model = MODEL }: { model?: OcrModel } = {}): OcrEngine {
  let worker: Promise<Worker> | null = null;
  // tesseract.js rejects the job's promise and, separately, reports the failure here; without a
  // handler it throws from its message listener instead, which would bring the process down.
  let lastError: unknown = null;

  const start = async () => {
    const w = await createWorker(LANGUAGE, OEM.LSTM_ONLY, {
      langPath: modelFolder(model),
      cachePath: modelFolder(model),
      cacheMethod: "none",
      gzip: true,
      workerPath: require.resolve("tesseract.js/src/worker-script/node/index.js"),
      errorHandler: (err: unknown) => {
        lastError = err;
      },
    });
    // Tesseract's library default reads the page as one block of text, which runs the lines of
    // two columns together; automatic segmentation (the command-line default) finds the columns.
    await w.setParameters({ tessedit_pageseg_mode: PSM.AUTO });
    return w;
  };

  const stop = async () => {
    const current = worker;
    worker = null;
    if (current) await (await current).terminate();
  };

  return {
    id: engineId(model),
    async recognize(image, { timeoutMs }) {
      worker ??= start();
      const pending = worker;
      const w = await pending;
      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new OcrTimeoutError(timeoutMs)), timeoutMs);
      });
      try {
        const result = await Promise.race([
          w.recognize(Buffer.from(image), {}, { blocks: true, text: false }),
          timeout,
        ]);
        return { confidence: result.data.confidence, paragraphs: ocrParagraphs(result.data.blocks ?? []) };
      } catch (err) {
        // A timed-out or failed worker may be mid-page; it is never reused.
        if (worker === pending) await stop();
        if (err instanceof OcrTimeoutError) throw err;
        const reason = String(err instanceof Error ? err.message : (err ?? lastError));
        throw new OcrImageError(reason.replace(/^Error:\s*/, ""));
      } finally {
        clearTimeout(timer);
      }
    },
    close: stop,
  };
}
