import { generateKeyPairSync, randomUUID } from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createUser } from "@/db/queries/users";
import type { DatabaseHandle } from "@/db/client";
import { createTestDatabase } from "@/lib/testing/db";
import { addCollection } from "@/lib/collections/admin";
import { questionAnsweredEvent } from "./fixtures";
import { parseAuditFilters } from "./filters";
import { appendAudit, appendAuditBatch } from "./log";
import { startAuditExport, type ExportFormat } from "./export";
import { keyFingerprint } from "./keys";
import { loadSigningKey, type SigningKey } from "./signing-key";
import { verifyExportFile } from "./verify-export";
import { verifyChain } from "./verify";
import { SYSTEM_ACTOR } from "@/lib/testing/actors";

let h: DatabaseHandle;
let dir: string;
const actor = { id: randomUUID(), email: "erin@example.org" };
const compliance = { id: randomUUID() as string, email: "carla@example.org", via: "session" as const };
let wards: { id: string; name: string };
let pharmacy: { id: string; name: string };

beforeAll(async () => {
  h = await createTestDatabase();
  // Exporting is for compliance staff, read from the database at the call.
  compliance.id = (
    await createUser(h.db, { email: compliance.email, name: "Carla", roles: ["compliance"], passwordHash: null })
  ).id;
  dir = fs.mkdtempSync(path.join(os.tmpdir(), "kq-export-"));
  wards = {
    id: (await addCollection({ actor: SYSTEM_ACTOR, db: h.db }, { name: "Wards", description: "" })).id,
    name: "Wards",
  };
  pharmacy = {
    id: (await addCollection({ actor: SYSTEM_ACTOR, db: h.db }, { name: "Pharmacy", description: "" })).id,
    name: "Pharmacy",
  };
  await appendAudit(h.db, {
    type: "auth.sign_in",
    actorId: actor.id,
    actorEmail: actor.email,
    payload: { method: "credentials" },
  });
  // One question searched both collections, one only the pharmacy; a quote that would be a formula in a spreadsheet.
  await appendAudit(
    h.db,
    questionAnsweredEvent({
      asker: actor,
      question: '=HYPERLINK("http://x") how long, "exactly", do I wash\nmy hands?',
      collections: [wards, pharmacy],
      passages: [
        {
          documentId: randomUUID(),
          versionId: randomUUID(),
          title: "Hand hygiene",
          text: 'Wash for 40 seconds, "all surfaces".',
        },
      ],
    }),
  );
  await appendAudit(
    h.db,
    questionAnsweredEvent({
      asker: actor,
      question: "Which fridge holds insulin?",
      collections: [pharmacy],
      passages: [],
    }),
  );
});
afterAll(async () => {
  await h.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

const trust = (key: SigningKey) => ({ trusted: { key: key.publicKey, reason: "the test's signing key" } });

async function exportTo(format: ExportFormat, filters: Record<string, unknown> = {}, dataDir = dir) {
  const key = loadSigningKey({ dataDir, AUDIT_SIGNING_KEY: undefined });
  const exp = await startAuditExport(
    { actor: compliance, db: h.db },
    { format, filters: parseAuditFilters(filters), key },
  );
  const file = path.join(dir, exp.fileName);
  const out = fs.createWriteStream(file);
  for await (const chunk of exp.chunks) out.write(chunk);
  await new Promise<void>((resolve, reject) => out.end((err?: Error | null) => (err ? reject(err) : resolve())));
  return { file, key };
}

describe("exports", () => {
  for (const format of ["jsonl", "csv"] as const) {
    it(`a ${format} export verifies offline, and any changed byte is caught`, async () => {
      const { file, key } = await exportTo(format);
      const ok = await verifyExportFile(file, trust(key));
      expect(ok.problems).toEqual([]);
      expect(ok).toMatchObject({ ok: true, format, signer: "trusted", firstSeq: 1, scope: "whole-trail", gaps: [] });
      // The export's own record is the head it names, and is inside it.
      expect(ok.lastSeq).toBe(ok.chainHead!.seq);
      expect(ok.rows).toBe(ok.chainHead!.seq);

      const text = fs.readFileSync(file, "utf8");
      const altered = path.join(dir, `altered.${format}`);
      fs.writeFileSync(altered, text.replaceAll("Which fridge holds insulin?", "Which fridge holds insuliN?"));
      const bad = await verifyExportFile(altered, trust(key));
      expect(bad.ok).toBe(false);
      expect(bad.problems.join("\n")).toMatch(/does not match the digest in its manifest/);
      expect(bad.problems.join("\n")).toMatch(/content does not match the digest its hash covers/);

      const cut = path.join(dir, `cut.${format}`);
      fs.writeFileSync(cut, text.split("\n").slice(0, -2).join("\n") + "\n");
      expect((await verifyExportFile(cut, trust(key))).problems.join("\n")).toMatch(/not a signed manifest/);

      const other = generateKeyPairSync("ed25519").publicKey;
      const wrongKey = await verifyExportFile(file, { trusted: { key: other, reason: "someone else's" } });
      expect(wrongKey).toMatchObject({ ok: false, signer: "untrusted" });
      expect(wrongKey.problems).toEqual([
        `The export is not signed by the trusted key ${keyFingerprint(other)} (the file names ${key.fingerprint}).`,
      ]);

      // Without a trusted key nothing is valid, whatever key the file carries.
      const unknown = await verifyExportFile(file, { trusted: null });
      expect(unknown).toMatchObject({ ok: false, signer: "unknown", problems: [] });
    });
  }

  it("keeps spreadsheet formulas inert in readable columns and exact in the JSON columns", async () => {
    const { file, key } = await exportTo("csv", { type: "question.answered" });
    const text = fs.readFileSync(file, "utf8");
    expect(text).toContain(`"'=HYPERLINK(""http://x"") how long, ""exactly"", do I wash\nmy hands?"`);
    expect((await verifyExportFile(file, trust(key))).ok).toBe(true);
  });

  it("filters by collection reach every question that searched it", async () => {
    const pharmacyOnly = await exportTo("jsonl", { collection: "Pharmacy", type: "question" });
    const rows = fs
      .readFileSync(pharmacyOnly.file, "utf8")
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l) as { kind: string; type?: string });
    expect(rows.filter((r) => r.kind === "event").map((r) => r.type)).toEqual([
      "question.answered",
      "question.answered",
    ]);
    // By id: the collection's own creation and the one question that searched it.
    const wardsOnly = await exportTo("jsonl", { collection: wards.id });
    const check = await verifyExportFile(wardsOnly.file, trust(wardsOnly.key));
    expect(check).toMatchObject({ ok: true, rows: 2, filters: { collection: wards.id }, scope: "filtered" });
    const types = fs
      .readFileSync(wardsOnly.file, "utf8")
      .trim()
      .split("\n")
      .map((l) => (JSON.parse(l) as { type?: string }).type)
      .filter(Boolean);
    expect(types).toEqual(["collection.created", "question.answered"]);
  });

  it("refuses bad filters with a message naming them, before recording anything", async () => {
    const before = (await verifyChain(h.db)).count;
    expect(() => parseAuditFilters({ from: "yesterday" })).toThrow(/from must be a date/);
    expect(() => parseAuditFilters({ type: "question.deleted" })).toThrow(/Unknown event type "question.deleted"/);
    expect(() => parseAuditFilters({ from: "2026-02-01", to: "2026-01-01" })).toThrow(/from must be before to/);
    await expect(exportTo("csv", { collection: "No such collection" })).rejects.toThrow(
      /no collection named "No such collection"/,
    );
    expect((await verifyChain(h.db)).count).toBe(before);
  });

  it("records each export in the chain, which still verifies", async () => {
    const v = await verifyChain(h.db);
    expect(v.ok).toBe(true);
    await appendAuditBatch(h.db, []);
    expect(v.count).toBeGreaterThan(5);
  });
});
