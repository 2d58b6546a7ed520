// npm run bench:audit [-- --events 1000000] [--appends 2000]
// The audit trail on PostgreSQL (TEST_DATABASE_URL or DATABASE_URL; a fresh database is created
// and dropped): appends per second (one writer; eight concurrent writers with a transaction each,
// then with grouped appends; on the server and on an in-memory PGlite), bulk loading with batched
// chain computation, and verification time at 100k and at --events (1M, target ≤ 10 s).
import { randomUUID } from "node:crypto";
import os from "node:os";
import { parseArgs } from "node:util";
import { sql } from "drizzle-orm";
import { migrateDatabase, openDatabase, queryRows, type DatabaseHandle } from "@/db/client";
import { listAuditEvents, type AuditQuery } from "@/db/queries/audit";
import { appendAuditGrouped } from "@/lib/audit/group-append";
import { appendAudit, appendAuditBatch } from "@/lib/audit/log";
import type { AuditEventInput } from "@/lib/audit/types";
import { verifyChain } from "@/lib/audit/verify";
import { collections, documents, event, users } from "./audit-events";
import { createScratchDatabase } from "@/lib/testing/scratch-db";

const { values } = parseArgs({
  options: { events: { type: "string", default: "1000000" }, appends: { type: "string", default: "2000" } },
});
const total = Number(values.events);
const appends = Number(values.appends);
const seconds = (t: number) => (performance.now() - t) / 1000;
const fmt = (n: number, d = 1) => n.toLocaleString("en-US", { maximumFractionDigits: d, minimumFractionDigits: d });

async function main() {
  const adminUrl = process.env.TEST_DATABASE_URL ?? process.env.DATABASE_URL;
  if (!adminUrl)
    throw new Error(
      "Set TEST_DATABASE_URL (or DATABASE_URL) to a PostgreSQL server, e.g. postgres://postgres@127.0.0.1:5432/postgres",
    );
  const scratch = await createScratchDatabase(adminUrl, "kq_bench_audit");
  let handle: DatabaseHandle | undefined;
  try {
    handle = await openDatabase({ url: scratch.url, poolMax: 8 });
    await migrateDatabase(handle, scratch.url);
    const db = handle.db;
    const [version] = await queryRows<{ server_version: string }>(db, sql`show server_version`);
    console.log(`PostgreSQL ${version!.server_version}, database ${scratch.name}`);

    // 1. Appends through the code the features use: one writer with a transaction per event, then
    // eight concurrent writers, each waiting for its own append before the next (a transaction
    // per event, and grouped: the appends that arrive together share one statement), on this
    // server and on the embedded database (in memory: PGlite writes no WAL to disk).
    const pglite = await openDatabase({ memory: true });
    try {
      await migrateDatabase(pglite);
      for (const [label, target] of [
        ["PostgreSQL", db],
        ["embedded PGlite", pglite.db],
      ] as const) {
        const figures = await appendFigures(target, appends);
        console.log(
          `\nAppends on ${label} of ${fmt(appends, 0)} events each (the chain verified afterwards; ${loadAverage()}):`,
        );
        console.log(`  one writer, a transaction per event:        ${fmt(figures.single, 0)}/s`);
        console.log(`  8 concurrent writers, a transaction each:   ${fmt(figures.eachOwn, 0)}/s`);
        console.log(`  8 concurrent writers, grouped appends:      ${fmt(figures.grouped, 0)}/s (target ≥ 2,000/s)`);
      }
    } finally {
      await pglite.close();
    }

    // 2. Bulk load up to 100k, verify; then up to the total, verify again.
    const load = async (upTo: number) => {
      const from = await verifyChainCount(db);
      const t0 = performance.now();
      const batch = 2000;
      for (let i = from; i < upTo; i += batch) {
        await appendAuditBatch(
          db,
          Array.from({ length: Math.min(batch, upTo - i) }, (_, k) => event(i + k)),
        );
        if ((i / batch) % 50 === 0 && i > from) process.stdout.write(`  … ${fmt(i, 0)} events\n`);
      }
      const s = seconds(t0);
      console.log(
        `Loaded ${fmt(upTo - from, 0)} events in ${fmt(s)} s (${fmt((upTo - from) / s, 0)}/s, batches of 2,000 under one lock; ${loadAverage()})`,
      );
    };
    const verifyAt = async (label: string) => {
      const t0 = performance.now();
      const v = await verifyChain(db);
      const s = seconds(t0);
      if (!v.ok) throw new Error(`verification failed: ${JSON.stringify(v.firstBroken)}`);
      const [{ size }] = (await queryRows<{ size: string }>(
        db,
        sql`select pg_size_pretty(pg_database_size(current_database())) as size`,
      )) as [{ size: string }];
      console.log(
        `Verification at ${label}: ${fmt(v.count, 0)} events in ${fmt(s, 2)} s (${fmt(v.count / s, 0)} events/s; target 1M ≤ 10 s); database ${size}; ${loadAverage()}`,
      );
    };
    console.log("");
    await load(Math.min(100_000, total));
    await verifyAt("100k");
    if (total > 100_000) {
      await load(total);
      await verifyAt(`${fmt(total / 1e6, total % 1e6 === 0 ? 0 : 1)}M`);
    }

    // 3. The console's first page (50 newest matching events) for each kind of filter.
    await queryRows(db, sql`analyze`);
    const filters: [string, AuditQuery][] = [
      ["no filter", {}],
      ["one user", { userId: users[5]!.id }],
      ["a user with no events (the whole index is walked)", { userId: randomUUID() }],
      ["one collection (questions that searched it, uploads)", { collectionId: collections[1]!.id }],
      ["one document (answers that retrieved from it)", { documentId: documents[11]!.documentId }],
      ["event type question.answered", { types: ["question.answered"] }],
      ["free text", { text: "isolation room 42" }],
      [
        "a day, one user, questions",
        {
          from: new Date(Date.now() - 86_400_000),
          to: new Date(Date.now() + 60_000),
          userId: users[5]!.id,
          types: ["question."],
        },
      ],
    ];
    console.log(`\nConsole page of 50 at ${fmt((await verifyChainCount(db)) / 1e6, 1)}M events:`);
    for (const [label, query] of filters) {
      await listAuditEvents(db, { query, limit: 51 });
      const t0 = performance.now();
      const rows = await listAuditEvents(db, { query, limit: 51 });
      console.log(`  ${label}: ${fmt(performance.now() - t0, 0)} ms (${rows.length} rows)`);
    }
  } finally {
    await handle?.close();
    await scratch.drop();
  }
}

/** Appends per second: one writer, then 8 concurrent writers with a transaction each, then grouped. */
async function appendFigures(db: DatabaseHandle["db"], appends: number) {
  let next = 0;
  const t = performance.now();
  for (; next < appends; next++) await appendAudit(db, event(next));
  const single = appends / seconds(t);
  const writers = async (n: number, append: (e: AuditEventInput) => Promise<unknown>) => {
    const stop = next + appends;
    const started = performance.now();
    await Promise.all(
      Array.from({ length: n }, async () => {
        while (next < stop) await append(event(next++));
      }),
    );
    return appends / seconds(started);
  };
  const eachOwn = await writers(8, (e) => appendAudit(db, e));
  const grouped = await writers(8, (e) => appendAuditGrouped(db, e));
  const check = await verifyChain(db);
  if (!check.ok) throw new Error(`the chain does not verify after the appends: ${JSON.stringify(check.firstBroken)}`);
  return { single, eachOwn, grouped };
}

/** The machine's load average, printed beside each figure: the benchmark often shares its cores. */
function loadAverage(): string {
  return `load average ${os
    .loadavg()
    .map((l) => l.toFixed(2))
    .join(" ")}`;
}

async function verifyChainCount(db: DatabaseHandle["db"]): Promise<number> {
  const [row] = await queryRows<{ n: number }>(db, sql`select coalesce(max(seq), 0)::int as n from audit_events`);
  return row!.n;
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
