import type { Metadata } from "next";
import { notFound } from "next/navigation";
import { AnswerRecord } from "@/components/compliance/answer-record";
import { ReaskPanel } from "@/components/compliance/reask-panel";
import { formatUtc } from "@/components/ui/date-time";
import { h1Class, h2Class, sectionClass } from "@/components/ui/styles";
import { getDb } from "@/lib/server/db";
import { readAuditEvent } from "@/lib/audit/service";
import { requireRole } from "@/lib/auth/guards";
import { AppError } from "@/lib/errors";
import { TextLink } from "@/components/ui/text-link";

export const metadata: Metadata = { title: "Audit event" };

export default async function AuditEventPage({ params }: { params: Promise<{ seq: string }> }) {
  const actor = await requireRole("compliance");
  const seq = Number((await params).seq);
  if (!Number.isSafeInteger(seq) || seq < 1) notFound();
  let detail;
  try {
    detail = await readAuditEvent({ actor, db: await getDb() }, seq);
  } catch (err) {
    if (err instanceof AppError && err.code === "not_found") notFound();
    throw err;
  }
  const { event, answer } = detail;
  const subject = Object.entries(event.subject).filter(([, v]) => v);
  const filterFor: Record<string, string> = { collectionId: "collection", documentId: "document", userId: "user" };

  return (
    <div>
      <p className="text-sm">
        <TextLink href="/compliance">Audit log</TextLink>
      </p>
      <h1 className={`${h1Class} mt-2`} data-testid="event-title">
        Event {event.seq}: {event.type}
      </h1>
      <p className="mt-2" data-testid="event-detail-summary">
        {event.summary}
      </p>
      <dl className="mt-4 grid grid-cols-[max-content_1fr] gap-x-4 gap-y-1 text-sm">
        <dt className="font-semibold">Time</dt>
        <dd>
          <time dateTime={event.at}>{formatUtc(new Date(event.at))}</time> ({event.at})
        </dd>
        <dt className="font-semibold">Who</dt>
        <dd data-testid="event-detail-actor">
          {event.actorEmail ?? "(system)"}{" "}
          {event.actorId ? <span className="text-gray-700 dark:text-gray-300">— {event.actorId}</span> : null}
        </dd>
        {subject.map(([k, v]) => (
          <div key={k} className="contents">
            <dt className="font-semibold">{k.replace("Id", "")}</dt>
            <dd>{filterFor[k] ? <TextLink href={`/compliance?${filterFor[k]}=${v}`}>{v}</TextLink> : v}</dd>
          </div>
        ))}
        <dt className="font-semibold">Hash</dt>
        <dd className="break-all font-mono text-xs" data-testid="event-hash">
          {event.hash}
        </dd>
        <dt className="font-semibold">Previous hash</dt>
        <dd className="break-all font-mono text-xs">{event.prevHash}</dd>
        {event.contentSha256 ? (
          <>
            <dt className="font-semibold">Content digest</dt>
            <dd className="break-all font-mono text-xs">
              {event.contentSha256}{" "}
              {event.redactedAt ? `(content redacted ${formatUtc(new Date(event.redactedAt))})` : ""}
            </dd>
          </>
        ) : null}
      </dl>

      {answer ? <AnswerRecord answer={answer} /> : null}
      {answer && !answer.redacted ? (
        <ReaskPanel
          seq={event.seq}
          recorded={{
            at: event.at,
            asOf: typeof event.readable.asOf === "string" ? event.readable.asOf : null,
            answer: answer.answer,
            citations: answer.citations.map((c) => ({ title: c.title, versionNumber: c.versionNumber })),
          }}
        />
      ) : null}

      <section aria-labelledby="payload-heading" className={sectionClass}>
        <h2 id="payload-heading" className={h2Class}>
          Recorded data
        </h2>
        <pre
          className="overflow-x-auto whitespace-pre-wrap rounded-md bg-gray-100 dark:bg-gray-800 p-3 text-xs"
          data-testid="event-payload"
        >
          {JSON.stringify(event.readable, null, 2)}
        </pre>
      </section>
    </div>
  );
}
