import { AppError } from "@/lib/errors";
import { openAiErrorResponse } from "@/lib/openai/errors";
import { secured } from "@/lib/server/security-context";

// Endpoints of the OpenAI API that this service does not offer answer like OpenAI does.
function notFound(req: Request): Response {
  return secured(
    req,
    openAiErrorResponse(
      new AppError(
        "not_found",
        "This endpoint is not offered here. Supported: GET /v1/models, POST /v1/chat/completions.",
      ),
    ),
  );
}

export const GET = notFound;
export const POST = notFound;
export const PUT = notFound;
export const PATCH = notFound;
export const DELETE = notFound;
