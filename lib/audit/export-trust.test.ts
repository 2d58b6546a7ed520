import { createHash, randomUUID } from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { parse } from "csv-parse/sync";
import { desc, sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createUser } from "@/db/queries/users";
import type { DatabaseHandle } from "@/db/client";
import { auditEvents } from "@/db/schema";
import { createTestDatabase } from "@/lib/testing/db";
import { eventHash } from "./canonical";
import { startAuditExport, type ExportFormat } from "./export";
import type { ExportManifest } from "./export-format";
import { questionAnsweredEvent } from "./fixtures";
import { parseAuditFilters } from "./filters";
import { signObject } from "./keys";
import { appendAudit } from "./log";
import { loadSigningKey, type SigningKey } from "./signing-key";
import { forge, type Line } from "./testing/forge";
import { verifyExportFile } from "./verify-export";

// The attacks on exports from issue 13: a forged file re-signed with a key of the forger's own,
// an event deleted from a whole-trail export, a broken chain the server must refuse to sign, and
// spreadsheet formulas in any column.

let h: DatabaseHandle;
let dir: string;
let key: SigningKey;
const erin = { id: randomUUID(), email: "erin@example.org" };
const compliance = { id: randomUUID() as string, email: "carla@example.org", via: "session" as const };
const installation = () => ({ trusted: { key: key.publicKey, reason: "this installation's signing key" } });

beforeAll(async () => {
  h = await createTestDatabase();
  // Exporting is for compliance staff, read from the database at the call.
  compliance.id = (
    await createUser(h.db, { email: compliance.email, name: "Carla", roles: ["compliance"], passwordHash: null })
  ).id;
  dir = fs.mkdtempSync(path.join(os.tmpdir(), "kq-export-trust-"));
  key = loadSigningKey({ dataDir: dir, AUDIT_SIGNING_KEY: undefined });
  for (let i = 0; i < 24; i++) {
    await appendAudit(
      h.db,
      i % 3 === 0
        ? questionAnsweredEvent({ asker: erin, question: `Question ${i}: which ward?`, collections: [], passages: [] })
        : { type: "auth.sign_in", actorId: erin.id, actorEmail: erin.email, payload: { method: "credentials" } },
    );
  }
});
afterAll(async () => {
  await h.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

async function exportTo(format: ExportFormat, filters: Record<string, unknown> = {}) {
  const exp = await startAuditExport(
    { actor: compliance, db: h.db },
    { format, filters: parseAuditFilters(filters), key },
  );
  const file = path.join(dir, `${randomUUID()}.${format}`);
  let text = "";
  const decoder = new TextDecoder();
  for await (const chunk of exp.chunks) text += decoder.decode(chunk, { stream: true });
  fs.writeFileSync(file, text);
  return { file, text };
}

describe("a forged export", () => {
  it("is INVALID when an event is deleted mid-file and the file re-signed with a fresh key it carries", async () => {
    const { file, text } = await exportTo("jsonl");
    expect((await verifyExportFile(file, installation())).ok).toBe(true);

    // Event 19 is an answered question (every third event from 1).
    const forged = path.join(dir, "forged.jsonl");
    fs.writeFileSync(
      forged,
      forge(text, (lines) => lines.filter((l) => !(l.kind === "event" && l.seq === 19))),
    );
    expect(fs.readFileSync(file, "utf8")).toContain('"seq":19,');
    expect(fs.readFileSync(forged, "utf8")).not.toContain('"seq":19,');

    const r = await verifyExportFile(forged, installation());
    expect(r.ok).toBe(false);
    expect(r.signer).toBe("untrusted");
    expect(r.gaps).toEqual([{ from: 19, to: 19 }]);
    expect(r.problems[0]).toBe("The whole-trail export is missing events 19.");
    expect(r.problems).toContain(
      `The export is not signed by the trusted key ${key.fingerprint} (the file names ${r.keyFingerprint}).`,
    );
    // The forger's key is named, not trusted; and with no trusted key at all the gap is still a failure.
    expect(r.keyFingerprint).not.toBe(key.fingerprint);
    const unknown = await verifyExportFile(forged, { trusted: null });
    expect(unknown).toMatchObject({ ok: false, signer: "unknown", trustedKey: null });
    expect(unknown.problems).toEqual(["The whole-trail export is missing events 19."]);
  });

  it("is INVALID when the forger also re-chains every later event so no link is broken", async () => {
    const { text } = await exportTo("jsonl");
    const forged = path.join(dir, "rechained.jsonl");
    fs.writeFileSync(
      forged,
      forge(text, (lines) => {
        let prevHash: string | null = null;
        const out: Line[] = [];
        for (const l of lines) {
          if (l.kind !== "event") {
            out.push(l);
            continue;
          }
          if (l.seq === 7 || l.seq === 8 || l.seq === 13) {
            prevHash ??= l.prevHash;
            continue;
          }
          if (prevHash !== null) {
            const row: Line = { ...l, prevHash };
            row.hash = eventHash(prevHash, row);
            prevHash = row.hash;
            out.push(row);
          } else out.push(l);
        }
        return out;
      }),
    );
    const r = await verifyExportFile(forged, installation());
    expect(r.ok).toBe(false);
    expect(r.problems[0]).toBe("The whole-trail export is missing events 7–8, 13.");
    // Each event's own hash checks out: only the gaps and the signature give the forgery away.
    expect(r.problems.some((p) => /contents do not match its hash/.test(p))).toBe(false);
  });

  it("cannot escape the contiguity rule by calling itself filtered", async () => {
    const { text } = await exportTo("jsonl");
    const forged = path.join(dir, "refiltered.jsonl");
    const lines = text.trimEnd().split("\n");
    const manifest = JSON.parse(lines.pop()!) as ExportManifest;
    const kept = lines.filter((l) => !l.includes('"seq":10,')).join("\n") + "\n";
    const { signature: _s, ...rest } = manifest;
    void _s;
    const unsigned = {
      ...rest,
      scope: "filtered" as const,
      rowCount: manifest.rowCount - 1,
      bodySha256: createHash("sha256").update(kept).digest("hex"),
    };
    // Only the trusted key can sign a manifest that says "filtered"; the forger does not hold it.
    fs.writeFileSync(forged, kept + JSON.stringify({ ...unsigned, signature: "AAAA" }) + "\n");
    const r = await verifyExportFile(forged, installation());
    expect(r).toMatchObject({ ok: false, signer: "untrusted" });
    expect(r.problems).toContain("The manifest's signature is not valid for the trusted key.");
  });
});

describe("a filtered export", () => {
  it("says so in its signed manifest, links consecutive events and states that completeness is unprovable", async () => {
    const { file, text } = await exportTo("jsonl", { type: "auth" });
    const manifest = JSON.parse(text.trimEnd().split("\n").pop()!) as ExportManifest;
    expect(manifest.scope).toBe("filtered");
    expect(manifest.completeness).toMatch(/cannot be proven from the file alone/);
    const r = await verifyExportFile(file, installation());
    expect(r.problems).toEqual([]);
    expect(r.ok).toBe(true);
    expect(r.scope).toBe("filtered");
    expect(r.gaps.length).toBeGreaterThan(0);

    // A consecutive pair (2, 3) relinked: each row's own hash recomputed, the whole file re-signed
    // with the trusted key itself. The broken link between 2 and 3 is still named.
    const lines = text.trimEnd().split("\n");
    lines.pop();
    const body =
      lines
        .map((l) => {
          const row = JSON.parse(l) as Line;
          if (row.kind !== "event" || row.seq !== 3) return l;
          const relinked = { ...row, prevHash: "f".repeat(64) };
          relinked.hash = eventHash(relinked.prevHash, relinked);
          return JSON.stringify(relinked);
        })
        .join("\n") + "\n";
    const { signature: _s, ...rest } = manifest;
    void _s;
    const unsigned = { ...rest, bodySha256: createHash("sha256").update(body).digest("hex") };
    const relinked = path.join(dir, "relinked.jsonl");
    fs.writeFileSync(
      relinked,
      body + JSON.stringify({ ...unsigned, signature: signObject(key.privateKey, unsigned) }) + "\n",
    );
    const bad = await verifyExportFile(relinked, installation());
    expect(bad.signer).toBe("trusted");
    expect(bad.ok).toBe(false);
    expect(bad.problems).toEqual(["event 3: prev_hash does not match the hash of event 2"]);
  });
});

describe("CSV exports", () => {
  it("neutralise a formula at the start of every cell, failed sign-in emails included, and still verify", async () => {
    const typed = ["=cmd|' /C calc'!A0", "+1+1@x.org", "-2@x.org", "@SUM(A1)", "\tx@x.org", "\rx@x.org", "'=quoted"];
    for (const email of typed) {
      await appendAudit(h.db, {
        type: "auth.sign_in_failed",
        actorId: null,
        actorEmail: email,
        payload: { method: "credentials", email, reason: "unknown_user" },
      });
    }
    const { file, text } = await exportTo("csv", { type: "auth.sign_in_failed" });
    const body = text.slice(0, text.lastIndexOf("#kq-audit-manifest "));
    const records = parse(body) as string[][];
    const [header, ...rows] = records;
    expect(rows).toHaveLength(typed.length);
    for (const row of rows) for (const cell of row) expect(cell).not.toMatch(/^[=+\-@\t\r]/);
    const emails = rows.map((r) => r[header!.indexOf("actor_email")]);
    expect(emails).toEqual(typed.map((e) => `'${e}`));
    const summaries = rows.map((r) => r[header!.indexOf("summary")]!);
    expect(summaries.every((s) => !/^[=+\-@\t\r]/.test(s))).toBe(true);
    // The escape is undone for the check: every event's hash still recomputes.
    const r = await verifyExportFile(file, installation());
    expect(r.problems).toEqual([]);
    expect(r.ok).toBe(true);
  });
});

describe("the server", () => {
  it("verifies the chain from its last verified anchor and refuses to sign a broken one", async () => {
    const first = await exportTo("jsonl");
    const anchorSeq = (await verifyExportFile(first.file, installation())).chainHead!.seq;
    const second = await startAuditExport({ actor: compliance, db: h.db }, { format: "jsonl", filters: {}, key });
    await second.chunks.return(undefined);
    // The second export verified only what came after the first one's record.
    const [latest] = await h.db
      .select({ payload: auditEvents.payload })
      .from(auditEvents)
      .orderBy(desc(auditEvents.seq))
      .limit(1);
    expect((latest!.payload as { verified: { fromSeq: number } }).verified.fromSeq).toBe(anchorSeq);

    const victim = await appendAudit(h.db, {
      type: "auth.sign_in",
      actorId: erin.id,
      actorEmail: erin.email,
      payload: { method: "credentials" },
    });
    await appendAudit(h.db, { type: "auth.sign_out", actorId: erin.id, actorEmail: erin.email, payload: {} });
    // Behind the triggers' back, as only a superuser can.
    await h.db.transaction(async (tx) => {
      await tx.execute(sql`set local session_replication_role = replica`);
      await tx.execute(sql`update audit_events set actor_email = 'mallory@example.org' where seq = ${victim.seq}`);
    });
    await expect(
      startAuditExport({ actor: compliance, db: h.db }, { format: "csv", filters: {}, key }),
    ).rejects.toThrow(
      `The audit chain is broken at event ${victim.seq}: the event's contents do not match its hash. The export was not signed`,
    );
    const [refusal] = await h.db
      .select({ type: auditEvents.type, payload: auditEvents.payload })
      .from(auditEvents)
      .orderBy(desc(auditEvents.seq))
      .limit(1);
    expect(refusal).toMatchObject({
      type: "audit.verified",
      payload: { ok: false, purpose: "export", firstBroken: { seq: victim.seq } },
    });
    // Still refused the next time: a failed verification is no anchor.
    await expect(
      startAuditExport({ actor: compliance, db: h.db }, { format: "jsonl", filters: {}, key }),
    ).rejects.toThrow(/broken at event/);
  });
});
