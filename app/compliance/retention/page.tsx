import type { Metadata } from "next";
import { PlaceHoldForm, ReleaseHoldButton } from "@/components/compliance/hold-forms";
import { formatUtc } from "@/components/ui/date-time";
import { h1Class, h2Class, sectionClass } from "@/components/ui/styles";
import { getDb } from "@/lib/server/db";
import { listHolds } from "@/lib/audit/holds";
import { requireRole } from "@/lib/auth/guards";
import { env } from "@/lib/env";
import { Table, Td, Th } from "@/components/ui/table";
import { TextLink } from "@/components/ui/text-link";

export const metadata: Metadata = { title: "Retention" };

export default async function RetentionPage() {
  const actor = await requireRole("compliance");
  const e = env();
  const holds = await listHolds({ actor, db: await getDb() });
  return (
    <div>
      <p className="text-sm">
        <TextLink href="/compliance">Audit log</TextLink>
      </p>
      <h1 className={`${h1Class} mt-2`}>Retention and legal holds</h1>
      <p className="mt-2 text-sm text-gray-800 dark:text-gray-200" data-testid="retention-policy">
        {e.RETENTION_DAYS
          ? `Questions, answers, quoted passages and feedback comments older than ${e.RETENTION_DAYS} days are replaced by a redaction marker, in conversations and in this audit trail, every ${e.RETENTION_SWEEP_MINUTES} minutes. The record of who asked, what was retrieved and which model answered stays, and the chain still verifies.`
          : "No retention period is set (RETENTION_DAYS): conversation content is kept indefinitely."}
      </p>

      <section aria-labelledby="holds-heading" className={sectionClass}>
        <h2 id="holds-heading" className={h2Class}>
          Active legal holds ({holds.length})
        </h2>
        {holds.length === 0 ? (
          <p className="text-sm">None. Retention applies to everything.</p>
        ) : (
          <Table data-testid="holds-table">
            <thead>
              <tr>
                <Th>On</Th>
                <Th>Reason</Th>
                <Th>Since</Th>
                <Th>
                  <span className="sr-only">Release</span>
                </Th>
              </tr>
            </thead>
            <tbody>
              {holds.map((h) => {
                const on = h.user
                  ? (h.user.email ?? h.user.id)
                  : `collection ${h.collection?.name ?? h.collection?.id}`;
                return (
                  <tr key={h.id} data-testid="hold-row">
                    <Td>{on}</Td>
                    <Td>{h.reason}</Td>
                    <Td>
                      {formatUtc(new Date(h.createdAt))}
                      {h.createdBy ? ` by ${h.createdBy}` : ""}
                    </Td>
                    <Td>
                      <ReleaseHoldButton id={h.id} label={on} />
                    </Td>
                  </tr>
                );
              })}
            </tbody>
          </Table>
        )}
      </section>

      <section aria-labelledby="place-heading" className={sectionClass}>
        <h2 id="place-heading" className={h2Class}>
          Place a legal hold
        </h2>
        <PlaceHoldForm />
      </section>
    </div>
  );
}
