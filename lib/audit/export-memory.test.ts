import { spawnSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { DatabaseHandle } from "@/db/client";
import { createTestDatabase } from "@/lib/testing/db";
import { parsePublicKey } from "./keys";
import { verifyExportFile } from "./verify-export";

// An export of 100,000 events streams in constant memory: a child process with a 160 MB V8 heap
// writes an export several times larger than that heap, and what its heap retains (read after a
// full collection as it goes) grows by less than a fixed ceiling while it does.

const EVENTS = 100_000;
const HEAP_MB = 160;
const GROWTH_CEILING = 32 * 1024 * 1024;

let h: (DatabaseHandle & { url?: string }) | undefined;
beforeAll(async () => {
  if (process.env.TEST_DATABASE_URL) h = await createTestDatabase();
});
afterAll(async () => h?.close());

describe("export memory", () => {
  it(`exports ${EVENTS.toLocaleString("en-US")} events under a fixed memory ceiling`, async () => {
    const r = spawnSync(
      process.execPath,
      [
        `--max-old-space-size=${HEAP_MB}`,
        "--expose-gc",
        "--conditions=react-server",
        "--import",
        "tsx",
        path.join("lib", "audit", "testing", "export-memory-child.ts"),
      ],
      {
        encoding: "utf8",
        env: { ...process.env, EXPORT_EVENTS: String(EVENTS), EXPORT_DB_URL: h?.url ?? "" },
        timeout: 900_000,
        maxBuffer: 1 << 20,
      },
    );
    expect(r.stderr).toBe("");
    expect(r.status).toBe(0);
    const out = JSON.parse(r.stdout.trim().split("\n").pop()!) as {
      events: number;
      bytes: number;
      growth: number;
      file: string;
      publicKeyPem: string;
    };
    // The figures, for the record (the assertions below are the gate).
    console.log(
      `export of ${(out.bytes / 1e6).toFixed(0)} MB with a ${HEAP_MB} MB heap: retained heap growth ${(out.growth / 1e6).toFixed(1)} MB`,
    );
    try {
      expect(out.bytes).toBeGreaterThan(HEAP_MB * 1024 * 1024);
      expect(out.growth).toBeLessThan(GROWTH_CEILING);
      const check = await verifyExportFile(out.file, {
        trusted: { key: parsePublicKey(out.publicKeyPem), reason: "the key the export was signed with" },
      });
      // Every event, and the export's own audit.exported record, which is the head it names.
      expect(check).toMatchObject({ ok: true, rows: EVENTS + 1, lastSeq: EVENTS + 1 });
    } finally {
      fs.rmSync(path.dirname(out.file), { recursive: true, force: true });
    }
  }, 900_000);
});
