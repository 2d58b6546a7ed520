import { AppError } from "@/lib/errors";

/**
 * The display name of an upload: its last path segment, without control characters. An upload
 * named `../../etc/passwd` is stored as "passwd"; the name is only ever a label, never a path.
 */
export function sanitizeFileName(raw: string): string {
  const lastSegment = raw.split(/[\\/]/).pop() ?? "";
  // eslint-disable-next-line no-control-regex
  const cleaned = lastSegment.replace(/[\u0000-\u001f\u007f]/g, "").normalize("NFC").trim();
  if (!cleaned || cleaned === "." || cleaned === "..") {
    throw new AppError("invalid_request", `The file name "${raw.slice(0, 100)}" is not usable; rename the file and upload it again.`);
  }
  if (cleaned.length > 255) throw new AppError("invalid_request", "The file name is longer than 255 characters.");
  return cleaned;
}
