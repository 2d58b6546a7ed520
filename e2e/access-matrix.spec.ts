import { expect, test } from "@playwright/test";
import { PRINCIPALS, ROWS } from "../lib/testing/access-matrix";

// The anonymous column of the access-control matrix, against the real server: a request with no
// session and no key. The other columns run through the route handlers in
// lib/auth/access-matrix.test.ts; both read the rows from lib/testing/access-matrix.ts.

const NOBODY = "00000000-0000-4000-8000-000000000000";

test("every method of every route answers an anonymous caller as the matrix says", async ({ request }) => {
  expect(PRINCIPALS).toContain("anonymous");
  const mismatches: string[] = [];
  for (const [key, row] of Object.entries(ROWS)) {
    if ("exempt" in row) continue;
    const [method, route] = key.split(" ") as [string, string];
    // Dynamic segments get an id that exists nowhere: an anonymous caller is refused before any lookup.
    const url = route.replace(/\[\.\.\.[^\]]+\]/g, "no/such/thing").replace(/\[[^\]]+\]/g, NOBODY);
    const res = await request.fetch(url, {
      method,
      ...(method === "GET" ? {} : { data: {} }),
      maxRedirects: 0,
    });
    // This server has METRICS_TOKEN set, so the metrics route is on and asks for its token.
    const want = key === "GET /api/metrics" ? 401 : row.expect.anonymous;
    if (res.status() !== want) mismatches.push(`${key}: wanted ${want}, got ${res.status()}`);
    const type = res.headers()["content-type"] ?? "";
    if (res.status() >= 400 && !type.includes("json")) mismatches.push(`${key}: answered ${type}, not JSON`);
  }
  expect(mismatches).toEqual([]);
});
