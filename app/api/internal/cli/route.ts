import { z } from "zod";
import { getDb } from "@/lib/server/db";
import { errorResponse, readJson } from "@/lib/auth/guards";
import { exportResponseBody } from "@/lib/audit/export";
import { runOperation, runStreamOperation, streamOperations } from "@/lib/cli/operations";
import { AppError } from "@/lib/errors";
import { isValidControlToken } from "@/lib/server/control";

// The CLI's channel into a server that owns the embedded database. Authenticated by the
// per-start token in DATA_DIR/run/control.json, not by a user: the CLI acts as the operator.

const body = z.object({ operation: z.string(), input: z.unknown() });

export async function POST(req: Request): Promise<Response> {
  try {
    if (!isValidControlToken(req.headers.get("x-control-token"))) {
      throw new AppError("unauthorized", "Invalid control token.");
    }
    const { operation, input } = await readJson(req, body);
    if (Object.hasOwn(streamOperations, operation)) {
      const file = await runStreamOperation(await getDb(), operation, input);
      return new Response(exportResponseBody(file.chunks), {
        headers: { "content-type": file.contentType, "x-file-name": file.fileName },
      });
    }
    const result = await runOperation(await getDb(), operation, input);
    return Response.json({ result });
  } catch (err) {
    return errorResponse(err);
  }
}
