import { AppError } from "@/lib/errors";

// Unknown API paths answer JSON like every other API error, not the HTML 404 page.
function notFound(): Response {
  return new AppError("not_found", "No such API endpoint.").toResponse();
}

export const GET = notFound;
export const POST = notFound;
export const PUT = notFound;
export const PATCH = notFound;
export const DELETE = notFound;
