import fs from "node:fs";
import path from "node:path";
import type { Command } from "commander";
import { parsePublishedPublicKey, type TrustedKey } from "@/lib/audit/keys";
import { installationTrustedKey } from "@/lib/audit/signing-key";
import type { ChainVerification } from "@/lib/audit/verify";
import { verifyExportFile, type ExportCheck } from "@/lib/audit/verify-export";
import { env } from "@/lib/env";
import { AppError } from "@/lib/errors";
import { printTable } from "./io";
import { execute, executeStream } from "./transport";

// `audit …`, `retention run` and `hold …`. Every command but verify-export talks to the database
// (or to the server that owns it); verify-export needs only the file, and optionally a public key.

type Out = (line: string) => void;

/** Exit status of verify-export when the file itself passed every check but no trusted key was available. */
export const SIGNER_UNKNOWN_EXIT = 2;

/** The key `--public-key` names: a file (PEM, base64, or the JSON the server publishes) or the key itself. */
export function givenKey(arg: string): TrustedKey {
  const isFile = fs.existsSync(arg);
  const text = isFile ? fs.readFileSync(arg, "utf8") : arg;
  let key;
  try {
    key = parsePublishedPublicKey(text);
  } catch (err) {
    throw new AppError(
      "invalid_request",
      `--public-key ${isFile ? arg : "(text)"}: ${err instanceof Error ? err.message : String(err)}`,
    );
  }
  return { key, reason: isFile ? `given with --public-key ${arg}` : "given as text with --public-key" };
}

function printCheck(out: Out, file: string, r: ExportCheck): void {
  out(`${r.ok ? "VALID" : r.signer === "unknown" && r.problems.length === 0 ? "SIGNER UNKNOWN" : "INVALID"}: ${file}`);
  out(
    r.trustedKey
      ? `Trusted key: ${r.trustedKey.fingerprint}, ${r.trustedKey.reason}.`
      : "Trusted key: none. The signer is unknown: no --public-key was given and this machine holds no " +
          "installation signing key (AUDIT_SIGNING_KEY or DATA_DIR/secrets/audit-signing-key.pem). " +
          "Pass --public-key FILE with the key from `npm run cli -- audit public-key` or GET /api/audit/public-key; " +
          "the key inside the file proves nothing.",
  );
  out(
    `Signed by: ${
      r.signer === "trusted"
        ? "the trusted key"
        : r.signer === "untrusted"
          ? `NOT the trusted key (the file names ${r.keyFingerprint ?? "no key"})`
          : `not checked (the file names ${r.keyFingerprint ?? "no key"}, which is not trusted for that reason)`
    }`,
  );
  out(
    `Format: ${r.format ?? "unknown"}; events: ${r.rows} (${r.firstSeq ?? "-"}–${r.lastSeq ?? "-"}); chain head: ${r.chainHead ? `${r.chainHead.seq} ${r.chainHead.hash}` : "-"}`,
  );
  if (r.scope) out(`Scope: ${r.scope === "whole-trail" ? "the whole trail" : "filtered"}. ${r.completeness}`);
  if (r.filters && Object.keys(r.filters).length > 0) out(`Filters: ${JSON.stringify(r.filters)}`);
  for (const p of r.problems) out(`  - ${p}`);
}

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
    // Checked against the key the server reports, not the one the file carries.
    const published = (await execute(env(), "audit.public_key", {})) as { publicKeyPem: string };
    const check = await verifyExportFile(target, {
      trusted: { key: parsePublishedPublicKey(published.publicKeyPem), reason: "the key the server signs with" },
    });
    out(
      `Wrote ${target} (${bytes} bytes, ${check.rows} events, ${check.firstSeq ?? "-"}–${check.lastSeq ?? "-"}, ${check.scope === "whole-trail" ? "the whole trail" : "filtered"}), signed by ${check.keyFingerprint}.`,
    );
    if (!check.ok) {
      out(`The written file does not verify: ${check.problems.join("; ")}`);
      setExit(1);
    }
  });

  audit
    .command("verify-export")
    .description(
      "Check an export offline against a key you trust: its signature, its digest, every event's hash, and that a " +
        "whole-trail export has no gaps. Needs no database. Exit 0 valid, 1 invalid, 2 signer unknown.",
    )
    .argument("<file>", "the export file")
    .option(
      "--public-key <file-or-pem>",
      "the key to trust: a PEM file, PEM text, base64 DER, or the JSON GET /api/audit/public-key returns; " +
        "without it, this installation's own key when this machine holds its data. The key inside the file is never trusted.",
    )
    .option("--json", "print JSON")
    .action(async (file: string, opts: { publicKey?: string; json?: boolean }) => {
      const trusted = opts.publicKey ? givenKey(opts.publicKey) : installationTrustedKey(env());
      const r = await verifyExportFile(path.resolve(file), { trusted });
      if (opts.json) out(JSON.stringify(r, null, 2));
      else printCheck(out, file, r);
      if (!r.ok) setExit(r.signer === "unknown" && r.problems.length === 0 ? SIGNER_UNKNOWN_EXIT : 1);
    });

  audit
    .command("public-key")
    .description("Print the public key exports are signed with (give it to whoever checks exports).")
    .option("--json", "print the JSON GET /api/audit/public-key returns (verify-export --public-key reads either)")
    .action(async (opts: { json?: boolean }) => {
      const r = (await execute(env(), "audit.public_key", {})) as {
        algorithm: string;
        publicKeyPem: string;
        fingerprint: string;
      };
      if (opts.json) {
        out(JSON.stringify({ algorithm: r.algorithm, publicKeyPem: r.publicKeyPem, fingerprint: r.fingerprint }));
        return;
      }
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
