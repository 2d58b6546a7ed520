import fs from "node:fs";
import path from "node:path";
import type { Command } from "commander";
import type { ChainVerification } from "@/lib/audit/verify";
import { verifyExportFile } from "@/lib/audit/verify-export";
import { env } from "@/lib/env";
import { AppError } from "@/lib/errors";
import { printTable } from "./io";
import { execute, executeStream } from "./transport";

// `audit …`, `retention run` and `hold …`. Every command but verify-export talks to the database
// (or to the server that owns it); verify-export needs only the file, and optionally a public key.

type Out = (line: string) => void;

interface FilterOptions {
  from?: string;
  to?: string;
  user?: string;
  collection?: string;
  document?: string;
  type?: string[];
  q?: string;
}

function withFilters(cmd: Command): Command {
  return cmd
    .option("--from <date>", "from this date (YYYY-MM-DD, UTC) or ISO instant")
    .option("--to <date>", "up to the end of this date, or before this instant")
    .option("--user <email-or-id>", "events by or about this user")
    .option("--collection <name-or-id>", "events about this collection, and questions that searched it")
    .option("--document <id>", "events about this document, and answers that retrieved from it")
    .option(
      "--type <type>",
      "an event type or family, e.g. question.answered or question (repeat for several)",
      (v: string, prev: string[]) => [...prev, v],
      [] as string[],
    )
    .option("--q <words>", "free text");
}

function filtersOf(o: FilterOptions) {
  return {
    from: o.from,
    to: o.to,
    user: o.user,
    collection: o.collection,
    document: o.document,
    type: o.type?.length ? o.type : undefined,
    q: o.q,
  };
}

export function registerAuditCommands(program: Command, out: Out, setExit: (code: number) => void): void {
  const audit = program.command("audit").description("Verify and export the audit trail.");

  audit
    .command("verify")
    .description("Walk the hash chain; exit 1 naming the first broken event if it does not verify.")
    .option("--anchor <seq:hash>", "also check that event <seq> still has this hash (e.g. an export's chainHead)")
    .option("--json", "print JSON")
    .action(async (opts: { anchor?: string; json?: boolean }) => {
      let anchor: { seq: number; hash: string } | undefined;
      if (opts.anchor) {
        const m = /^(\d+):([0-9a-f]{64})$/.exec(opts.anchor);
        if (!m) throw new AppError("invalid_request", "--anchor must be <seq>:<64 hex characters>.");
        anchor = { seq: Number(m[1]), hash: m[2]! };
      }
      const r = (await execute(env(), "audit.verify", { anchor })) as ChainVerification;
      if (opts.json) out(JSON.stringify(r, null, 2));
      else {
        out(`Events checked: ${r.count}`);
        out(`Head: ${r.head ? `${r.head.seq} ${r.head.hash}` : "(empty chain)"}`);
        if (r.anchor) out(`Anchor ${r.anchor.seq}: ${r.anchor.matches ? "matches" : "DOES NOT MATCH"}`);
        out(
          r.firstBroken
            ? `BROKEN at event ${r.firstBroken.seq}: ${r.firstBroken.reason}`
            : r.ok
              ? "The chain is intact."
              : "The chain does not match the anchor.",
        );
      }
      if (!r.ok) setExit(1);
    });

  withFilters(
    audit
      .command("export")
      .description("Write a signed export (CSV or JSONL) of the events matching the filters.")
      .requiredOption("--format <format>", "csv or jsonl")
      .requiredOption("--out <file>", "file to write (not overwritten if it exists)"),
  ).action(async (opts: FilterOptions & { format: string; out: string }) => {
    const target = path.resolve(opts.out);
    if (fs.existsSync(target)) throw new AppError("conflict", `${target} already exists; choose another --out.`);
    const tmp = `${target}.partial`;
    const fd = fs.openSync(tmp, "wx", 0o600);
    let bytes = 0;
    try {
      await executeStream(env(), "audit.export", { format: opts.format, filters: filtersOf(opts) }, async (chunk) => {
        bytes += chunk.byteLength;
        for (let off = 0; off < chunk.byteLength;) off += fs.writeSync(fd, chunk, off);
      });
      fs.fsyncSync(fd);
    } catch (err) {
      fs.closeSync(fd);
      fs.rmSync(tmp, { force: true });
      throw err;
    }
    fs.closeSync(fd);
    fs.renameSync(tmp, target);
    const check = await verifyExportFile(target);
    out(
      `Wrote ${target} (${bytes} bytes, ${check.rows} events, ${check.firstSeq ?? "-"}–${check.lastSeq ?? "-"}), signed by ${check.keyFingerprint}.`,
    );
    if (!check.ok) {
      out(`The written file does not verify: ${check.problems.join("; ")}`);
      setExit(1);
    }
  });

  audit
    .command("verify-export")
    .description("Check an export offline: its signature, its digest, every event's hash. Needs no database.")
    .argument("<file>", "the export file")
    .option(
      "--public-key <file-or-pem>",
      "the expected signing key (PEM file, PEM text or base64); without it the key inside the file is used",
    )
    .option("--json", "print JSON")
    .action(async (file: string, opts: { publicKey?: string; json?: boolean }) => {
      let publicKey: string | undefined;
      if (opts.publicKey)
        publicKey = fs.existsSync(opts.publicKey) ? fs.readFileSync(opts.publicKey, "utf8") : opts.publicKey;
      const r = await verifyExportFile(path.resolve(file), { publicKey });
      if (opts.json) out(JSON.stringify(r, null, 2));
      else {
        out(`${r.ok ? "VALID" : "INVALID"}: ${file}`);
        out(
          `Format: ${r.format ?? "unknown"}; events: ${r.rows} (${r.firstSeq ?? "-"}–${r.lastSeq ?? "-"}); chain head: ${r.chainHead ? `${r.chainHead.seq} ${r.chainHead.hash}` : "-"}`,
        );
        out(
          `Signed by: ${r.keyFingerprint ?? "-"}${r.keyTrusted === null ? " (no --public-key given: the file's own key was used)" : r.keyTrusted ? " (the key given)" : " (NOT the key given)"}`,
        );
        if (r.filters) out(`Filters: ${JSON.stringify(r.filters)}`);
        for (const p of r.problems) out(`  - ${p}`);
      }
      if (!r.ok) setExit(1);
    });

  audit
    .command("public-key")
    .description("Print the public key exports are signed with.")
    .action(async () => {
      const r = (await execute(env(), "audit.public_key", {})) as { publicKeyPem: string; fingerprint: string };
      out(r.publicKeyPem.trimEnd());
      out(`Fingerprint: ${r.fingerprint}`);
    });

  program
    .command("retention")
    .description("Conversation retention.")
    .command("run")
    .description("Redact conversation content older than the retention period now (legal holds apply).")
    .option("--days <n>", "retention period in days (default RETENTION_DAYS)")
    .action(async (opts: { days?: string }) => {
      const r = (await execute(env(), "retention.run", { days: opts.days ? Number(opts.days) : undefined })) as {
        cutoff: string;
        messages: number;
        auditEvents: number;
      };
      out(`Redacted ${r.messages} message(s) and ${r.auditEvents} audit record(s) older than ${r.cutoff}.`);
    });

  const hold = program.command("hold").description("Legal holds: suspend retention for a user or a collection.");
  hold
    .command("add")
    .description("Place a legal hold.")
    .option("--user <email>", "hold this user's conversations")
    .option("--collection <name>", "hold everything that touched this collection")
    .requiredOption("--reason <text>", "why (case number, request)")
    .action(async (opts: { user?: string; collection?: string; reason: string }) => {
      const r = (await execute(env(), "hold.add", opts)) as {
        id: string;
        userEmail: string | null;
        collection: string | null;
      };
      out(`Placed legal hold ${r.id} on ${r.userEmail ?? `collection ${r.collection}`}.`);
    });
  hold
    .command("list")
    .description("List active legal holds.")
    .action(async () => {
      const rows = (await execute(env(), "hold.list", {})) as {
        id: string;
        user: { email: string } | null;
        collection: { name: string } | null;
        reason: string;
        createdAt: string;
      }[];
      printTable(
        ["ID", "ON", "REASON", "SINCE"],
        rows.map((r) => [r.id, r.user ? r.user.email : `collection ${r.collection?.name}`, r.reason, r.createdAt]),
      );
    });
  hold
    .command("release")
    .description("Release a legal hold (it stays on record).")
    .requiredOption("--id <id>", "the hold's id")
    .action(async (opts: { id: string }) => {
      await execute(env(), "hold.release", { id: opts.id });
      out(`Released legal hold ${opts.id}.`);
    });
}
