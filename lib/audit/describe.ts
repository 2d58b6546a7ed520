// One line per event for the console's list and the CSV export's summary column. Reads the
// payload with its content merged (redacted text reads as the marker).

type P = Record<string, unknown>;

const s = (v: unknown): string => (typeof v === "string" ? v : v === undefined || v === null ? "" : JSON.stringify(v));
const clip = (v: string, n = 140) => (v.length > n ? `${v.slice(0, n - 1)}…` : v);

function findings(p: P): string {
  const list = Array.isArray(p.findings) ? (p.findings as P[]) : [];
  const kinds = [...new Set(list.map((f) => s(f.kind).replace(/_/g, " ")))];
  return `${list.length} possible prompt injection${list.length === 1 ? "" : "s"}${kinds.length ? ` (${kinds.join(", ")})` : ""}`;
}

/** " — flagged for review (…)" when the guards sent the answer to the review queue. */
function flagged(p: P): string {
  const review = (p.guard as P | undefined)?.review;
  return Array.isArray(review) && review.length > 0
    ? ` — flagged for review (${review.map((r) => s(r).replace(/_/g, " ")).join(", ")})`
    : "";
}

export function describeEvent(type: string, p: P): string {
  switch (type) {
    case "auth.sign_in":
      return `Signed in${p.method ? ` (${s(p.method)})` : ""}`;
    case "auth.sign_in_failed":
      return `Sign-in refused for ${p.email ? s(p.email) : "emails that name no account"}: ${s(p.reason)}${typeof p.count === "number" && p.count > 1 ? ` (${p.count} attempts)` : ""}`;
    case "auth.sign_out":
      return "Signed out";
    case "auth.mfa_enrolled":
      return `Set up two-step sign-in (${s(p.recoveryCodes)} recovery codes)`;
    case "auth.mfa_verified":
      return "Signed in with the authenticator code";
    case "auth.mfa_recovery_code_used":
      return `Signed in with a recovery code (${s(p.remaining)} left)`;
    case "auth.mfa_recovery_codes_regenerated":
      return `Made ${s(p.recoveryCodes)} new recovery codes`;
    case "auth.mfa_disabled":
      return "Turned off two-step sign-in";
    case "auth.mfa_reset":
      return `Reset the two-step sign-in of ${s(p.email)} (${s(p.sessionsEnded)} sessions ended)`;
    case "user.password_changed":
      return `Changed the password of ${s(p.email)} (${s(p.reason)})`;
    case "user.password_reset":
      return `Reset the password of ${s(p.email)} to a one-time password`;
    case "keys.rotated":
      return `Rotated the key-encryption key ${s(p.from)} → ${s(p.to)} (${s(p.rewrapped)} data keys re-wrapped)`;
    case "backup.created":
      return `Made backup ${s(p.archiveId)}`;
    case "backup.restored":
      return `Restored backup ${s(p.archiveId)} made ${s(p.createdAt)}`;
    case "user.created":
      return `Created user ${s(p.email)} with roles ${(p.roles as string[] | undefined)?.join(", ") ?? ""}`;
    case "user.roles_changed":
      return `Roles of ${s(p.email)}: ${(p.before as string[] | undefined)?.join(", ") || "none"} → ${(p.after as string[] | undefined)?.join(", ") || "none"}`;
    case "user.disabled":
      return `Disabled ${s(p.email)}`;
    case "user.enabled":
      return `Enabled ${s(p.email)}`;
    case "user.renamed":
      return `Renamed ${s(p.email)} to ${s(p.name)}`;
    case "group.created":
      return `Created group ${s(p.name)}`;
    case "group.deleted":
      return `Deleted group ${s(p.name)}`;
    case "group.member_added":
      return `Added ${s(p.email)} to group ${s(p.group)}`;
    case "group.member_removed":
      return `Removed ${s(p.email)} from group ${s(p.group)}`;
    case "apikey.created":
      return `Created API key ${s(p.prefix)} (${s(p.name)}) for ${s(p.ownerEmail)}`;
    case "apikey.revoked":
      return `Revoked API key ${s(p.prefix)}`;
    case "collection.created":
      return `Created collection ${s(p.name)}`;
    case "collection.updated":
      return `Changed collection ${s(p.before && (p.before as P).name)}${p.after && (p.after as P).name !== (p.before as P | undefined)?.name ? ` → ${s((p.after as P).name)}` : ""}`;
    case "collection.policy_changed": {
      const after = (p.after ?? {}) as P;
      return `Privacy policy of ${s(p.collection)}: personal data ${s(after.pii)}${after.pii !== "tag" && Array.isArray(after.piiTypes) ? ` (${(after.piiTypes as string[]).join(", ")})` : ""}, injection ${s(after.injection)}${p.recheck ? `; ${s(p.requeued)} documents checked again` : ""}`;
    }
    case "collection.deleted":
      return `Deleted collection ${s(p.name)} (${s(p.documentCount)} documents)`;
    case "grant.added":
    case "grant.changed":
    case "grant.removed":
      return `${type === "grant.added" ? "Granted" : type === "grant.changed" ? "Changed grant:" : "Removed grant:"} ${s(p.access)} on ${s(p.collection)} to ${p.group ? `group ${s(p.group)}` : `role ${s(p.role)}`}`;
    case "document.uploaded":
      return `Uploaded ${s(p.name)} version ${s(p.versionNumber)} to ${s(p.collection)}`;
    case "document.published":
      return `Published ${s(p.name)} version ${s(p.versionNumber)} (${s(p.chunkCount)} passages)`;
    case "document.ingest_failed":
      return `Could not ingest ${s(p.name)} version ${s(p.versionNumber)}: ${s(p.error)}`;
    case "document.restricted":
      return `Restricted ${s(p.name)} to ${(p.restrictedTo as { name: string }[] | undefined)?.map((g) => g.name).join(", ") || "everyone with access"}`;
    case "document.deleted":
      return `Deleted ${s(p.name)}`;
    case "document.quarantined":
      return `Quarantined ${s(p.name)} version ${s(p.versionNumber)}: ${findings(p)}`;
    case "document.injection_warning":
      return `Indexed ${s(p.name)} version ${s(p.versionNumber)} with a warning: ${findings(p)}`;
    case "document.released":
      return `Released ${s(p.name)} version ${s(p.versionNumber)} from quarantine${p.note ? `: ${clip(s(p.note))}` : ""}`;
    case "document.rejected":
      return `Rejected quarantined ${s(p.name)} version ${s(p.versionNumber)}${p.note ? `: ${clip(s(p.note))}` : ""}`;
    case "document.effective_changed":
      return `Changed when ${s(p.name)} version ${s(p.versionNumber)} is in effect: from ${s(p.effectiveFrom)}${p.effectiveUntil ? ` until ${s(p.effectiveUntil)}` : ""}`;
    case "document.took_effect":
      return `${s(p.name)} version ${s(p.versionNumber)} took effect as scheduled (${s(p.effectiveFrom)})`;
    case "question.answered":
      return `Asked: ${clip(s(p.question))}${p.asOf ? ` (as of ${s(p.asOf)})` : ""}${flagged(p)}`;
    case "question.reasked":
      return `Re-asked event ${s(p.originalSeq)} as of ${s(p.asOf)}${p.refused ? " (refused)" : ""}: ${clip(s(p.question))}`;
    case "question.refused":
      return `Question refused (${s(p.reason)}): ${clip(s(p.question))}`;
    case "feedback.given":
      return `Rated an answer ${p.rating === 1 ? "helpful" : "not helpful"}${p.reason ? ` (${s(p.reason)})` : ""}${p.comment ? `: ${clip(s(p.comment))}` : ""}`;
    case "review.resolved":
      return `Review #${s(p.number)} resolved: the answer is ${s(p.decision)}${p.note ? ` (${clip(s(p.note))})` : ""}`;
    case "review.escalated":
      return `Review #${s(p.number)} escalated${p.note ? `: ${clip(s(p.note))}` : ""}`;
    case "review.reopened":
      return `Review #${s(p.number)} reopened${p.note ? `: ${clip(s(p.note))}` : ""}`;
    case "audit.exported":
      return `Exported the audit trail as ${s(p.format).toUpperCase()}`;
    case "audit.verified":
      return `Verified the chain: ${p.ok ? "intact" : `broken at ${s((p.firstBroken as P | null)?.seq)}`} (${s(p.count)} events)`;
    case "retention.purged":
      return `Retention redacted ${s(p.messages)} messages and ${s(p.auditEvents)} audit records older than ${s(p.cutoff)}`;
    case "retention.hold_placed":
      return `Legal hold on ${p.userEmail ? s(p.userEmail) : `collection ${s(p.collection)}`}: ${clip(s(p.reason))}`;
    case "retention.hold_released":
      return `Released legal hold on ${p.userEmail ? s(p.userEmail) : `collection ${s(p.collection)}`}`;
    case "read.file":
      return `Opened ${p.rendition === "masked" ? "the masked rendition of" : "the original of"} ${s(p.name)} version ${s(p.versionNumber)}`;
    case "read.passage":
      return `Read a passage of ${s(p.name)} version ${s(p.versionNumber)} (characters ${s(p.start)}–${s(p.end)})`;
    case "read.changes":
      return `Compared ${s(p.name)} version ${s(p.fromVersionNumber)} with version ${s(p.versionNumber)}`;
    case "read.audit_event":
      return `Viewed audit event ${s(p.seq)} (${s(p.eventType)})`;
    case "read.audit_log": {
      const filters = Object.entries((p.filters ?? {}) as P)
        .map(([k, v]) => `${k}=${Array.isArray(v) ? v.join(",") : s(v)}`)
        .join(", ");
      return `Listed ${s(p.count)} audit events${p.count ? ` (${s(p.oldestSeq)}–${s(p.newestSeq)})` : ""}${filters ? ` filtered by ${filters}` : ""}`;
    }
    case "read.review_queue":
      return `Listed ${s(p.count)} review items${Array.isArray(p.numbers) && p.numbers.length ? ` (#${(p.numbers as number[]).join(", #")})` : ""}`;
    case "read.review_item":
      return `Viewed review item #${s(p.number)}${p.answerSeq ? ` (answer recorded as event ${s(p.answerSeq)})` : ""}`;
    case "evaluation.run": {
      const t = (p.totals ?? {}) as P;
      return `Evaluated ${s(t.questions)} golden questions: recall@5 ${Number(t.recallAt5 ?? 0).toFixed(2)}, ${p.passed ? "passed" : "below the pass mark"} ${Number(p.minRecall ?? 0).toFixed(2)}`;
    }
    case "index.staged_evaluated":
      return `Evaluated the staged index (${s(p.embedderId)}) on ${s(p.collections)} collection(s): ${p.passed ? "all at or above their pass marks" : "some below their pass marks"}`;
    case "index.swapped":
      return `Made the staged index (${s(p.embedderId)}, ${s(p.rows)} passages) the live index, replacing ${s(p.replacedEmbedderId)}`;
    case "evaluation.changed":
      return p.action === "questions_added"
        ? `Added ${s(p.count)} golden question(s)`
        : p.action === "question_removed"
          ? "Removed a golden question"
          : `Changed the evaluation pass mark to ${s(p.after)}`;
    default:
      return type;
  }
}
