import path from "node:path";
import { describe, expect, it } from "vitest";
import { endpointsOf, listEndpoints } from "@/lib/testing/route-guards";

// Every route handler and server action is a public endpoint. Each must be built by a guard from
// lib/auth/guards.ts (apiRoute, secretRoute, guardedAction, pendingStepAction) or be listed here with the reason it
// is open; a new endpoint without either fails this test, naming its file.

const OPEN: Record<string, string> = {
  "app/api/[...path]/route.ts GET": "unknown API paths answer a JSON 404 and touch nothing",
  "app/api/[...path]/route.ts POST": "unknown API paths answer a JSON 404 and touch nothing",
  "app/api/[...path]/route.ts PUT": "unknown API paths answer a JSON 404 and touch nothing",
  "app/api/[...path]/route.ts PATCH": "unknown API paths answer a JSON 404 and touch nothing",
  "app/api/[...path]/route.ts DELETE": "unknown API paths answer a JSON 404 and touch nothing",
  "app/v1/[...path]/route.ts GET": "unknown /v1 paths answer an OpenAI-shaped 404 and touch nothing",
  "app/v1/[...path]/route.ts POST": "unknown /v1 paths answer an OpenAI-shaped 404 and touch nothing",
  "app/v1/[...path]/route.ts PUT": "unknown /v1 paths answer an OpenAI-shaped 404 and touch nothing",
  "app/v1/[...path]/route.ts PATCH": "unknown /v1 paths answer an OpenAI-shaped 404 and touch nothing",
  "app/v1/[...path]/route.ts DELETE": "unknown /v1 paths answer an OpenAI-shaped 404 and touch nothing",
  "app/api/auth/[...nextauth]/route.ts GET": "Auth.js itself: the sign-in endpoints a visitor needs",
  "app/api/auth/[...nextauth]/route.ts POST": "Auth.js itself: the sign-in endpoints a visitor needs",
  "app/api/health/route.ts GET": "load balancers call it without credentials; it says nothing sensitive",
  "app/login/actions.ts signInWithCredentials": "signing in: there is no user to guard yet",
  "app/login/actions.ts signInWithOidc": "signing in: there is no user to guard yet",
  "app/login/actions.ts signOutAction": "signing out without a session does nothing",
};

const root = path.resolve(__dirname, "..");
const endpoints = listEndpoints(root);
const key = (e: { file: string; name: string }) => `${e.file} ${e.name}`;

describe("every route handler and server action is guarded", () => {
  it("finds the route tree and the server actions", () => {
    const files = new Set(endpoints.map((e) => e.file));
    expect(files).toContain("app/api/chat/route.ts");
    expect(files).toContain("app/v1/chat/completions/route.ts");
    expect(files).toContain("app/collections/[id]/actions.ts");
    expect(endpoints.length).toBeGreaterThan(60);
  });

  it("has no exported handler or action outside a guard, unless listed as open with a reason", () => {
    const unguarded = endpoints.filter((e) => !e.guarded && !(key(e) in OPEN)).map((e) => `${key(e)} (${e.form})`);
    expect(unguarded, "wrap these in apiRoute / secretRoute / guardedAction from lib/auth/guards.ts").toEqual([]);
  });

  it("lists as open only endpoints that exist and are really unguarded", () => {
    const found = new Map(endpoints.map((e) => [key(e), e]));
    const stale = Object.keys(OPEN).filter((k) => !found.has(k) || found.get(k)!.guarded);
    expect(stale, "remove these from OPEN").toEqual([]);
  });

  it("recognises each way a module can export an endpoint without a guard", () => {
    const route = `
      import { apiRoute } from "@/lib/auth/guards";
      const plain = async () => new Response("hi");
      export const GET = apiRoute<{ id: string }>({}, async () => ({}));
      export const POST = plain;
      export async function PUT() { return new Response(); }
      export const PATCH = (async () => new Response()) as unknown as () => Promise<Response>;
      export { plain as DELETE };
      export const dynamic = "force-dynamic";`;
    expect(endpointsOf("app/api/x/route.ts", route, "route").map((e) => [e.name, e.guarded])).toEqual([
      ["GET", true],
      ["POST", false],
      ["PUT", false],
      ["PATCH", false],
      ["DELETE", false],
    ]);
    const actions = `"use server";
      import { guardedAction } from "@/lib/auth/guards";
      export const ok = guardedAction({}, schema, async () => 1);
      export async function open() {}`;
    expect(endpointsOf("app/x/actions.ts", actions, "actions").map((e) => [e.name, e.guarded])).toEqual([
      ["ok", true],
      ["open", false],
    ]);
  });
});
