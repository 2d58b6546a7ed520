import type { NextRequest } from "next/server";
import { handlers } from "@/lib/auth/config";
import { authRoutePattern, instrumentRoute } from "@/lib/metrics/http";

const pattern = (req: NextRequest) => authRoutePattern(new URL(req.url).pathname);

export const GET = instrumentRoute(pattern, (req: NextRequest) => handlers.GET(req));
export const POST = instrumentRoute(pattern, (req: NextRequest) => handlers.POST(req));
