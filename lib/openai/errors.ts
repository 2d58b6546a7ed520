import { AppError } from "@/lib/errors";

// OpenAI clients read `error.type` and `error.code` and retry on 429/5xx; give them the shape
// they expect, with our message and status.

const TYPES: Record<string, string> = {
  invalid_request: "invalid_request_error",
  unsupported_media_type: "invalid_request_error",
  payload_too_large: "invalid_request_error",
  unauthorized: "authentication_error",
  forbidden: "permission_error",
  not_found: "not_found_error",
  conflict: "invalid_request_error",
  locked: "invalid_request_error",
  rate_limited: "rate_limit_error",
  internal: "server_error",
  unavailable: "server_error",
};

export function openAiErrorBody(err: AppError, code?: string) {
  const { message } = err.toJSON().error;
  const param = (err.details as { path?: string }[] | undefined)?.[0]?.path ?? null;
  return { error: { message, type: TYPES[err.code] ?? "server_error", param: param || null, code: code ?? err.code } };
}

export function openAiErrorResponse(err: AppError): Response {
  const code = err.code === "not_found" && /model/i.test(err.message) ? "model_not_found" : undefined;
  return Response.json(openAiErrorBody(err, code), { status: err.status, headers: err.headers });
}
