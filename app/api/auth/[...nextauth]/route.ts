import type { NextRequest } from "next/server";
import { handlers } from "@/lib/auth/config";
import { authRoutePattern, instrumentRoute } from "@/lib/metrics/http";
import { secured } from "@/lib/server/security-context";

const pattern = (req: NextRequest) => authRoutePattern(new URL(req.url).pathname);

export const GET = instrumentRoute(pattern, async (req: NextRequest) => secured(req, await handlers.GET(req)));
export const POST = instrumentRoute(pattern, async (req: NextRequest) => secured(req, await handlers.POST(req)));
