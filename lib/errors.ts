import { ZodError } from "zod";

// One error type for the whole server. The code decides the HTTP status and whether the
// message may be shown to the caller; everything else is logged and answered generically.

const STATUS = {
  invalid_request: 400,
  unauthorized: 401,
  forbidden: 403,
  not_found: 404,
  conflict: 409,
  payload_too_large: 413,
  unsupported_media_type: 415,
  locked: 423,
  rate_limited: 429,
  internal: 500,
  unavailable: 503,
} as const;

export type ErrorCode = keyof typeof STATUS;

export class AppError extends Error {
  readonly code: ErrorCode;
  readonly status: number;
  readonly details?: unknown;
  readonly headers?: Record<string, string>;
  private readonly shown?: boolean;

  constructor(
    code: ErrorCode,
    message: string,
    /** `expose: true` shows a 5xx message that was written for the caller (a service unavailable for a known reason). */
    options: { cause?: unknown; details?: unknown; headers?: Record<string, string>; expose?: boolean } = {},
  ) {
    super(message, { cause: options.cause });
    this.name = "AppError";
    this.code = code;
    this.status = STATUS[code];
    this.details = options.details;
    this.headers = options.headers;
    this.shown = options.expose;
  }

  /** 5xx messages may describe internals; they are logged, never sent. */
  get expose(): boolean {
    return this.shown ?? this.status < 500;
  }

  toJSON() {
    const message = this.expose ? this.message : "An internal error occurred. It has been logged.";
    return {
      error: {
        code: this.code,
        message,
        ...(this.expose && this.details !== undefined ? { details: this.details } : {}),
      },
    };
  }

  toResponse(): Response {
    return Response.json(this.toJSON(), { status: this.status, headers: this.headers });
  }
}

export function fromZodError(err: ZodError, what = "request"): AppError {
  const details = err.issues.map((i) => ({ path: i.path.join("."), message: i.message }));
  const summary = details.map((d) => (d.path ? `${d.path}: ${d.message}` : d.message)).join("; ");
  return new AppError("invalid_request", `Invalid ${what}: ${summary}`, { cause: err, details });
}

/** Turns anything thrown into an AppError, keeping the original as `cause`. */
export function toAppError(err: unknown): AppError {
  if (err instanceof AppError) return err;
  if (err instanceof ZodError) return fromZodError(err);
  return new AppError("internal", err instanceof Error ? err.message : String(err), { cause: err });
}
