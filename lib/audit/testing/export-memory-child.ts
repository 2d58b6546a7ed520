// Run by export-memory.test.ts in a child process with a small V8 heap: loads N events, then
// streams an export of all of them to a file while sampling heap use. Prints one JSON line.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { randomUUID } from "node:crypto";
import { migrateDatabase, openDatabase } from "@/db/client";
import { startAuditExport } from "@/lib/audit/export";
import { questionAnsweredEvent } from "@/lib/audit/fixtures";
import { appendAuditBatch } from "@/lib/audit/log";
import { loadSigningKey } from "@/lib/audit/signing-key";

async function main() {
  const n = Number(process.env.EXPORT_EVENTS ?? "100000");
  const url = process.env.EXPORT_DB_URL;
  const handle = url ? await openDatabase({ url, poolMax: 2 }) : await openDatabase({ memory: true });
  await migrateDatabase(handle, url);
  const asker = { id: randomUUID(), email: "erin@example.org" };
  const passages = Array.from({ length: 4 }, (_, i) => ({
    documentId: randomUUID(),
    versionId: randomUUID(),
    title: `Protocol ${i}`,
    text: `Passage ${i}: `.padEnd(300, "wash hands "),
  }));
  for (let i = 0; i < n; i += 2000) {
    await appendAuditBatch(
      handle.db,
      Array.from({ length: Math.min(2000, n - i) }, (_, k) =>
        questionAnsweredEvent({ asker, question: `Question ${i + k}?`, collections: [], passages }),
      ),
    );
  }
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "kq-export-mem-"));
  const file = path.join(dir, "export.jsonl");
  globalThis.gc?.();
  const baseline = process.memoryUsage().heapUsed;
  let peak = baseline;
  const sampler = setInterval(() => {
    peak = Math.max(peak, process.memoryUsage().heapUsed);
  }, 20);
  const key = loadSigningKey({ dataDir: dir, AUDIT_SIGNING_KEY: undefined });
  const exp = await startAuditExport(
    { actor: { id: null, email: null, via: "cli" }, db: handle.db },
    { format: "jsonl", filters: {}, key },
  );
  const out = fs.createWriteStream(file);
  // What the export holds on to, read after a full collection every 16 MB written: the peak of
  // heapUsed alone also counts garbage not yet collected, which depends on the V8 release's
  // heuristics, not on the export. (Holding the whole export could not fit the heap at all.)
  let retained = baseline;
  let written = 0;
  let lastLook = 0;
  for await (const chunk of exp.chunks) {
    if (!out.write(chunk)) await new Promise<void>((r) => out.once("drain", () => r()));
    peak = Math.max(peak, process.memoryUsage().heapUsed);
    written += chunk.length;
    if (written - lastLook >= 16 * 1024 * 1024) {
      lastLook = written;
      globalThis.gc?.();
      retained = Math.max(retained, process.memoryUsage().heapUsed);
    }
  }
  await new Promise<void>((r) => out.end(r));
  clearInterval(sampler);
  const bytes = fs.statSync(file).size;
  process.stdout.write(
    JSON.stringify({
      events: n,
      bytes,
      baseline,
      peak,
      growth: retained - baseline,
      file,
      publicKeyPem: key.publicKeyPem,
    }) + "\n",
  );
  await handle.close();
}

main().catch((err) => {
  process.stderr.write(String(err?.stack ?? err) + "\n");
  process.exit(1);
});
