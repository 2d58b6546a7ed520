import { createHash } from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { expect, test } from "@playwright/test";
import { readKeys, readSeen } from "./support/api";

// Runs after every other spec (a dependent project): over all the API responses they saw,
// no password hash or API-key hash ever appears, and every API route was called at least once.

test("no API response carries a password hash or an API-key hash", () => {
  const seen = readSeen();
  expect(seen.length).toBeGreaterThan(50);
  const keyHashes = readKeys().map((k) => createHash("sha256").update(k).digest("hex"));
  expect(keyHashes.length).toBeGreaterThan(2);
  for (const { url, body } of seen) {
    expect(body, url).not.toMatch(/\$argon2/);
    expect(body, url).not.toMatch(/password_?hash|key_?hash/i);
    for (const h of keyHashes) expect(body, url).not.toContain(h);
  }
});

test("every API route was exercised by some spec", () => {
  const apiDir = path.join(process.cwd(), "app", "api");
  const routes: string[] = [];
  const walk = (dir: string) => {
    for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
      const p = path.join(dir, entry.name);
      if (entry.isDirectory()) walk(p);
      else if (entry.name === "route.ts") routes.push(path.relative(apiDir, dir));
    }
  };
  walk(apiDir);
  const exempt = new Set(["auth/[...nextauth]", "[...path]"]);
  const pattern = (route: string) => new RegExp(`^/api/${route.replace(/\[[^\]]+\]/g, "[^/?]+")}(\\?.*)?$`);
  const seenPaths = readSeen().map((b) => b.url.split(" ")[1]!);
  const unexercised = routes.filter((r) => !exempt.has(r) && !seenPaths.some((p) => pattern(r).test(p)));
  expect(unexercised).toEqual([]);
});
