import { AppError } from "@/lib/errors";
import { instrumentRoute } from "@/lib/metrics/http";
import { secured } from "@/lib/server/security-context";

// Unknown API paths answer JSON like every other API error, not the HTML 404 page. They are
// counted under one label: the path a client made up must not become a time series.
const notFound = instrumentRoute("/api/:unknown*", async (req: Request): Promise<Response> =>
  secured(req, new AppError("not_found", "No such API endpoint.").toResponse()),
);

export const GET = notFound;
export const POST = notFound;
export const PUT = notFound;
export const PATCH = notFound;
export const DELETE = notFound;
