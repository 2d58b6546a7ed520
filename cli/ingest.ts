import fs from "node:fs/promises";
import path from "node:path";
import type { Env } from "@/lib/env";
import { AppError } from "@/lib/errors";
import { parseEffectiveDate } from "@/lib/documents/effective";
import type { UploadOutcome } from "@/lib/documents/upload";
import type { Worker } from "@/lib/jobs/worker";
import { withSession, type Session } from "./transport";
import { ProgressLine } from "./io";

// `cli ingest <file-or-folder> --collection <name>`: uploads every file under the path (hidden
// files and folders skipped), then follows the ingest jobs to the end with a progress bar and
// prints what was ingested, what was unchanged and what failed, with the reason.

interface JobState {
  id: string;
  status: "queued" | "running" | "succeeded" | "failed";
  progress: number;
  error: string | null;
}

export async function listFiles(root: string): Promise<{ full: string; name: string }[]> {
  const stat = await fs.stat(root).catch((err: NodeJS.ErrnoException) => {
    throw new AppError(
      "not_found",
      err.code === "ENOENT" ? `No such file or folder: ${root}` : `Cannot read ${root}: ${err.message}`,
    );
  });
  if (stat.isFile()) return [{ full: root, name: path.basename(root) }];
  const out: { full: string; name: string }[] = [];
  async function walk(dir: string) {
    const entries = await fs.readdir(dir, { withFileTypes: true });
    entries.sort((a, b) => a.name.localeCompare(b.name));
    for (const entry of entries) {
      if (entry.name.startsWith(".")) continue;
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) await walk(full);
      else if (entry.isFile()) out.push({ full, name: path.relative(root, full).split(path.sep).join("/") });
    }
  }
  await walk(root);
  return out;
}

export async function ingestCommand(
  e: Env,
  target: string,
  opts: { collection: string; create?: boolean; effectiveFrom?: string },
  print: (line: string) => void,
): Promise<number> {
  // Checked before anything is uploaded, so a mistyped date stops the whole run.
  if (opts.effectiveFrom !== undefined) parseEffectiveDate(opts.effectiveFrom, "--effective-from");
  const files = await listFiles(path.resolve(target));
  if (files.length === 0) throw new AppError("invalid_request", `No files under ${target}.`);
  return withSession(e, async (session) => {
    const collection = (await session.run("collection.ensure", {
      name: opts.collection,
      create: opts.create ?? false,
    })) as { id: string; name: string; created: boolean };
    if (collection.created) print(`Created collection "${collection.name}".`);
    const worker = session.local ? await startLocalWorker(session) : undefined;
    try {
      return await uploadAndFollow(session, collection.id, files, print, opts.effectiveFrom);
    } finally {
      await worker?.stop();
    }
  });
}

async function startLocalWorker(session: Session): Promise<Worker> {
  // No server owns this database (or it is a shared Postgres): process our own jobs here.
  const { startWorkers } = await import("@/ingest/workers");
  return startWorkers(session.db!)!;
}

async function uploadAndFollow(
  session: Session,
  collectionId: string,
  files: { full: string; name: string }[],
  print: (l: string) => void,
  effectiveFrom: string | undefined,
) {
  const bar = new ProgressLine(files.length);
  const outcomes: { name: string; outcome: UploadOutcome }[] = [];
  for (const [i, f] of files.entries()) {
    bar.update(i / files.length / 2, `uploading ${f.name}`);
    const bytes = await fs.readFile(f.full);
    const outcome = (await session.run("ingest.upload", {
      collectionId,
      name: f.name,
      contentBase64: bytes.toString("base64"),
      ...(effectiveFrom !== undefined ? { effectiveFrom } : {}),
    })) as UploadOutcome;
    outcomes.push({ name: f.name, outcome });
  }
  const jobIds = outcomes.flatMap((o) => (o.outcome.status === "queued" ? [o.outcome.jobId] : []));
  const states = new Map<string, JobState>();
  while (jobIds.length > 0) {
    const jobs = (await session.run("jobs.status", { ids: jobIds })) as JobState[];
    for (const j of jobs) states.set(j.id, j);
    const done = jobs.filter((j) => j.status === "succeeded" || j.status === "failed").length;
    const fraction = jobs.reduce((s, j) => s + (j.status === "failed" ? 1 : j.progress), 0) / jobIds.length;
    bar.update(0.5 + fraction / 2, `processing ${done}/${jobIds.length} files`);
    if (done === jobIds.length) break;
    await new Promise((r) => setTimeout(r, 500));
  }
  bar.finish();

  const ingested: string[] = [];
  const unchanged: string[] = [];
  const failed: string[] = [];
  for (const { name, outcome } of outcomes) {
    if (outcome.status === "unchanged") unchanged.push(name);
    else if (outcome.status === "rejected") failed.push(`${name}: ${outcome.error.message}`);
    else {
      const job = states.get(outcome.jobId);
      if (job?.status === "succeeded") ingested.push(name);
      else failed.push(`${name}: ${job?.error ?? "did not finish"}`);
    }
  }
  print(
    `Ingested ${ingested.length}, unchanged ${unchanged.length}, failed ${failed.length} (of ${outcomes.length} files).`,
  );
  for (const line of failed) print(`  failed: ${line}`);
  return failed.length > 0 ? 1 : 0;
}
