import { AppError } from "@/lib/errors";

/**
 * The display name of an upload. Folder uploads keep their relative path ("policies/hr.md") so
 * equally named files in different folders stay apart; "." and ".." segments are dropped, so
 * `../../etc/passwd` becomes "etc/passwd". The name is only ever a label, never a path on disk.
 */
export function sanitizeFileName(raw: string): string {
  const segments = raw
    .split(/[\\/]+/)
    .map((s) =>
      s
        .replace(/[\u0000-\u001f\u007f]/g, "")
        .normalize("NFC")
        .trim(),
    )
    .filter((s) => s !== "" && s !== "." && s !== "..");
  const cleaned = segments.join("/");
  if (!cleaned) {
    throw new AppError(
      "invalid_request",
      `The file name "${raw.slice(0, 100)}" is not usable; rename the file and upload it again.`,
    );
  }
  if (cleaned.length > 512) throw new AppError("invalid_request", "The file name is longer than 512 characters.");
  return cleaned;
}
