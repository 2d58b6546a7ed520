import "server-only";
import { open } from "node:fs/promises";
import { describeModelFile, ModelFileError } from "./model-file";

// What a GGUF file says about itself: architecture, quantization, trained context length, name
// and size. Answers record architecture and quantization next to the file's sha256, and the admin
// page shows the rest. Only the header is read (never the weights); results are cached per sha256.

export interface GgufInfo {
  /** general.architecture, e.g. "llama", "qwen2", "gemma3". */
  architecture: string;
  /** Quantization name such as "Q4_K_M" or "F16"; inferred from the tensors when the file does not say. */
  quantization: string | null;
  /** Where `quantization` came from: general.file_type, or the most common tensor type. */
  quantizationSource: "file_type" | "tensors" | null;
  /** `<architecture>.context_length`: the context the model was trained for. */
  trainContextSize: number | null;
  /** general.name */
  modelName: string | null;
  /** general.size_label, e.g. "8B", when the file carries one. */
  sizeLabel: string | null;
  /** Sum of the tensors' element counts. */
  parameterCount: number | null;
}

/** Vocabulary arrays are large (10⁵ entries) and say nothing the identity needs. */
const SKIPPED_KEYS = [
  "tokenizer.ggml.tokens",
  "tokenizer.ggml.scores",
  "tokenizer.ggml.token_type",
  "tokenizer.ggml.merges",
];

const INFOS = Symbol.for("knowledge-qa.gguf-infos");
type Holder = { [INFOS]?: Map<string, Promise<GgufInfo>> };

function infoCache(): Map<string, Promise<GgufInfo>> {
  const holder = globalThis as Holder;
  holder[INFOS] ??= new Map();
  return holder[INFOS];
}

/**
 * Reads the metadata of a GGUF model file. Throws ModelFileError naming the file when it is
 * missing, unreadable or not a GGUF.
 */
export async function readGgufInfo(modelPath: string): Promise<GgufInfo> {
  const file = await describeModelFile(modelPath);
  const cache = infoCache();
  let pending = cache.get(file.sha256);
  if (!pending) {
    pending = checkHeader(file.path, file.bytes).then(() => parse(file.path, file.bytes));
    cache.set(file.sha256, pending);
    pending.catch(() => cache.delete(file.sha256));
  }
  return pending;
}

/** A header takes well under a second to read; this only stops a damaged file from hanging start-up. */
const READ_TIMEOUT_MS = 60_000;

function notGguf(filePath: string, reason: string, cause?: unknown): ModelFileError {
  return new ModelFileError(
    `The model file ${filePath} is not a readable GGUF model: ${reason}.`,
    cause === undefined ? undefined : { cause },
  );
}

/**
 * Checks the fixed header before handing the file to node-llama-cpp's reader, which reads past
 * the end of a damaged file as zeros and can then spin on absurd entry counts.
 */
async function checkHeader(filePath: string, size: number): Promise<void> {
  const header = Buffer.alloc(24);
  const fd = await open(filePath, "r");
  let bytesRead: number;
  try {
    ({ bytesRead } = await fd.read(header, 0, header.length, 0));
  } finally {
    await fd.close();
  }
  if (bytesRead < 4 || header.toString("latin1", 0, 4) !== "GGUF")
    throw notGguf(filePath, "it does not start with the GGUF signature");
  if (bytesRead < header.length) throw notGguf(filePath, "the file ends inside its header");
  const version = header.readUInt32LE(4);
  if (version !== 2 && version !== 3) throw notGguf(filePath, `GGUF version ${version} is not supported (2 or 3)`);
  const tensors = header.readBigUInt64LE(8);
  const entries = header.readBigUInt64LE(16);
  // A metadata entry takes at least 12 bytes and a tensor description at least 24.
  if (entries * 12n + tensors * 24n > BigInt(size)) {
    throw notGguf(
      filePath,
      `its header announces ${entries} metadata entries and ${tensors} tensors, more than ${size} bytes can hold (damaged or incomplete)`,
    );
  }
}

async function parse(filePath: string, size: number): Promise<GgufInfo> {
  const { readGgufFileInfo, GgmlType, GgufFileType } = await import("node-llama-cpp");
  let info;
  try {
    // sourceType "filesystem": a path must never be mistaken for a URL and fetched.
    info = await readGgufFileInfo(filePath, {
      sourceType: "filesystem",
      ignoreKeys: SKIPPED_KEYS,
      logWarnings: false,
      signal: AbortSignal.timeout(READ_TIMEOUT_MS),
    });
  } catch (err) {
    const message = (err as Error).message;
    const reason =
      err?.constructor?.name === "InvalidGgufMagicError" || /GGUF magic/i.test(message)
        ? "it does not start with the GGUF signature"
        : message;
    throw notGguf(filePath, reason, err);
  }

  const general = info.metadata?.general;
  const architecture = typeof general?.architecture === "string" ? general.architecture : null;
  if (!architecture)
    throw new ModelFileError(`The model file ${filePath} has no general.architecture in its GGUF metadata.`);

  const tensors = info.fullTensorInfo ?? info.tensorInfo ?? [];
  // The weights follow the header; a copy cut short loses them first.
  const lastTensorStart = tensors.reduce((max, t) => Math.max(max, Number(t.offset)), 0);
  if (info.infoEndOffset !== undefined && tensors.length > 0 && info.infoEndOffset + lastTensorStart >= size) {
    throw notGguf(filePath, `it is incomplete: its weights extend past the end of the file (${size} bytes)`);
  }
  let quantization: string | null = null;
  let quantizationSource: GgufInfo["quantizationSource"] = null;
  if (typeof general.file_type === "number") {
    quantization = fileTypeName(general.file_type, GgufFileType as unknown as Record<number, string>);
    quantizationSource = quantization ? "file_type" : null;
  }
  if (!quantization) {
    const dominant = dominantTensorType(tensors);
    const name = dominant === null ? undefined : (GgmlType as unknown as Record<number, string>)[dominant];
    if (name) {
      quantization = name;
      quantizationSource = "tensors";
    }
  }

  const context = info.architectureMetadata?.context_length;
  return {
    architecture,
    quantization,
    quantizationSource,
    trainContextSize: typeof context === "number" && context > 0 ? context : null,
    modelName: typeof general.name === "string" && general.name.trim() ? general.name.trim() : null,
    sizeLabel: typeof general.size_label === "string" && general.size_label.trim() ? general.size_label.trim() : null,
    parameterCount: tensors.length > 0 ? tensors.reduce((sum, t) => sum + elements(t.dimensions), 0) : null,
  };
}

/** general.file_type → the name people use for it: 15 (MOSTLY_Q4_K_M) → "Q4_K_M", 0 (ALL_F32) → "F32". */
export async function quantizationName(fileType: number): Promise<string | null> {
  const { GgufFileType } = await import("node-llama-cpp");
  return fileTypeName(fileType, GgufFileType as unknown as Record<number, string>);
}

/** `names` is node-llama-cpp's numeric GgufFileType enum, which maps values back to names. */
function fileTypeName(fileType: number, names: Record<number, string>): string | null {
  const name = names[fileType];
  if (typeof name !== "string") return null;
  return name.replace(/^(MOSTLY|ALL)_/, "");
}

function elements(dimensions: readonly (number | bigint)[]): number {
  return dimensions.reduce<number>((product, d) => product * Number(d), 1);
}

/** The tensor type holding most of the weights; 1-D tensors (norms, biases) are kept in F32 by every quantizer, so they are left out. */
function dominantTensorType(
  tensors: readonly { dimensions: readonly (number | bigint)[]; ggmlType: number }[],
): number | null {
  const totals = new Map<number, number>();
  for (const t of tensors) {
    if (t.dimensions.length < 2) continue;
    totals.set(t.ggmlType, (totals.get(t.ggmlType) ?? 0) + elements(t.dimensions));
  }
  let best: number | null = null;
  let bestCount = -1;
  for (const [type, count] of totals) {
    if (count > bestCount) {
      best = type;
      bestCount = count;
    }
  }
  return best;
}
