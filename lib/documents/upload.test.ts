import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { DatabaseHandle } from "@/db/client";
import { getVersionById, listDocuments, listVersions } from "@/db/queries/documents";
import { listJobsByIds } from "@/db/queries/jobs";
import { createTestDatabase } from "@/lib/testing/db";
import { addCollection } from "@/lib/collections/admin";
import { readOriginal } from "@/lib/storage/files";
import { acceptUpload } from "./upload";
import { SYSTEM_ACTOR } from "@/lib/testing/actors";

let h: DatabaseHandle;
let dataDir: string;
let collectionId: string;
const limits = () => ({ dataDir, maxUploadBytes: 1024 * 1024 });
const bytes = (s: string) => new TextEncoder().encode(s);

beforeAll(async () => {
  h = await createTestDatabase();
  dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "kq-upload-"));
  collectionId = (await addCollection({ actor: SYSTEM_ACTOR, db: h.db }, { name: "Protocols", description: "" })).id;
});
afterAll(async () => {
  await h.close();
  fs.rmSync(dataDir, { recursive: true, force: true });
});

function filesOnDisk(): string[] {
  const root = path.join(dataDir, "files");
  if (!fs.existsSync(root)) return [];
  return fs
    .readdirSync(root, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile())
    .map((e) => e.name);
}

describe("accepting uploads", () => {
  it("creates a document, a first version, the stored original and an ingest job", async () => {
    const r = await acceptUpload({ actor: SYSTEM_ACTOR, db: h.db }, limits(), {
      collectionId,
      fileName: "hand-hygiene.md",
      bytes: bytes("# Hand hygiene\nWash."),
    });
    if (r.status !== "queued") throw new Error(JSON.stringify(r));
    expect(r.versionNumber).toBe(1);
    const [job] = await listJobsByIds(h.db, { ids: [r.jobId] });
    expect(job).toMatchObject({ kind: "ingest.version", status: "queued", payload: { versionId: r.versionId } });
    const versions = await listVersions(h.db, { documentId: r.documentId });
    expect(versions).toHaveLength(1);
    const version = await getVersionById(h.db, { id: r.versionId });
    expect(version?.storagePath).toBe(`${r.versionId.slice(0, 2)}/${r.versionId}.enc`);
    expect(version?.dataKey).toMatch(/^[0-9a-f]{16}:/);
    // Stored encrypted: the words of the upload are nowhere in the file on disk.
    const onDisk = fs.readFileSync(path.join(dataDir, "files", version!.storagePath!));
    expect(onDisk.includes(Buffer.from("Hand hygiene"))).toBe(false);
    const ref = { id: version!.id, storagePath: version!.storagePath!, dataKey: version!.dataKey };
    expect(new TextDecoder().decode(await readOriginal(dataDir, ref))).toBe("# Hand hygiene\nWash.");
  });

  it("recognises identical content and does not ingest it again", async () => {
    const again = await acceptUpload({ actor: SYSTEM_ACTOR, db: h.db }, limits(), {
      collectionId,
      fileName: "hand-hygiene.md",
      bytes: bytes("# Hand hygiene\nWash."),
    });
    expect(again).toMatchObject({
      status: "unchanged",
      message: "Identical to the current version; not ingested again.",
    });
    const renamed = await acceptUpload({ actor: SYSTEM_ACTOR, db: h.db }, limits(), {
      collectionId,
      fileName: "copy.md",
      bytes: bytes("# Hand hygiene\nWash."),
    });
    expect(renamed).toMatchObject({
      status: "unchanged",
      message: 'Identical to "hand-hygiene.md" in this collection; not ingested again.',
    });
    expect(await listDocuments(h.db, { collectionId })).toHaveLength(1);
  });

  it("makes a changed file with the same name the next version", async () => {
    const r = await acceptUpload({ actor: SYSTEM_ACTOR, db: h.db }, limits(), {
      collectionId,
      fileName: "hand-hygiene.md",
      bytes: bytes("# Hand hygiene\nWash for 20 s."),
    });
    expect(r).toMatchObject({ status: "queued", versionNumber: 2 });
    const docs = await listDocuments(h.db, { collectionId });
    expect(docs).toHaveLength(1);
    expect(docs[0]!.latest).toMatchObject({ versionNumber: 2, status: "queued" });
  });

  it("rejects an oversize file and a name that is only path segments, storing nothing", async () => {
    const before = filesOnDisk().length;
    const big = await acceptUpload({ actor: SYSTEM_ACTOR, db: h.db }, limits(), {
      collectionId,
      fileName: "big.txt",
      bytes: new Uint8Array(1024 * 1024 + 1),
    });
    expect(big).toEqual({
      name: "big.txt",
      status: "rejected",
      error: { code: "payload_too_large", message: "The file is 1.0 MB; the limit is 1.0 MB." },
    });
    const dots = await acceptUpload({ actor: SYSTEM_ACTOR, db: h.db }, limits(), {
      collectionId,
      fileName: "../..",
      bytes: bytes("x"),
    });
    expect(dots).toMatchObject({ status: "rejected", error: { code: "invalid_request" } });
    expect(filesOnDisk().length).toBe(before);
  });

  it("keeps path traversal out of names and never writes outside the files folder", async () => {
    const r = await acceptUpload({ actor: SYSTEM_ACTOR, db: h.db }, limits(), {
      collectionId,
      fileName: "../../etc/passwd",
      bytes: bytes("root:x:0:0"),
    });
    expect(r).toMatchObject({ status: "queued", name: "etc/passwd" });
    expect(fs.existsSync(path.join(dataDir, "..", "etc", "passwd"))).toBe(false);
  });

  it("accepts the same new file uploaded twice at once only once", async () => {
    const content = bytes(`# Sepsis bundle\n${Date.now()}`);
    const results = await Promise.all(
      [1, 2, 3].map(() =>
        acceptUpload({ actor: SYSTEM_ACTOR, db: h.db }, limits(), {
          collectionId,
          fileName: "sepsis.md",
          bytes: content,
        }),
      ),
    );
    expect(results.filter((r) => r.status === "queued")).toHaveLength(1);
    expect(results.filter((r) => r.status === "unchanged")).toHaveLength(2);
    const sepsis = (await listDocuments(h.db, { collectionId })).filter((d) => d.name === "sepsis.md");
    expect(sepsis).toHaveLength(1);
    expect((await listVersions(h.db, { documentId: sepsis[0]!.id })).length).toBe(1);
  });
});
