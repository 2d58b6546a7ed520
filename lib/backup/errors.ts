import { AppError } from "@/lib/errors";

/** An archive that cannot be used: damaged, truncated, altered, or opened with the wrong key. */
export class BackupError extends AppError {
  constructor(message: string, options: { cause?: unknown } = {}) {
    super("invalid_request", message, options);
    this.name = "BackupError";
  }
}
