import { formatPercent } from "@/components/collections/format";
import { Badge, type BadgeTone } from "@/components/ui/badge";
import { DateTime } from "@/components/ui/date-time";
import { tdClass } from "@/components/ui/styles";
import type { OverviewJob } from "@/lib/admin/overview";
import { RowHeader, Table, Td, Th } from "@/components/ui/table";
import { TextLink } from "@/components/ui/text-link";

const STATUS_TONES: Record<OverviewJob["status"], BadgeTone> = {
  queued: "neutral",
  running: "info",
  succeeded: "success",
  failed: "danger",
};

export function JobStatusBadge({ status }: { status: OverviewJob["status"] }) {
  return (
    <Badge tone={STATUS_TONES[status]} data-testid="job-status">
      {status[0]!.toUpperCase() + status.slice(1)}
    </Badge>
  );
}

/** Jobs with the document they ingest; failures show their error in full (it says what to fix). */
export function JobsTable({ jobs, testId, showError }: { jobs: OverviewJob[]; testId: string; showError: boolean }) {
  return (
    <div className="overflow-x-auto">
      <Table data-testid={testId}>
        <thead>
          <tr>
            <Th>Document</Th>
            <Th>Status</Th>
            <Th>{showError ? "Error" : "Progress"}</Th>
            <Th>Attempts</Th>
            <Th>{showError ? "Failed" : "Queued"}</Th>
          </tr>
        </thead>
        <tbody>
          {jobs.map((j) => (
            <tr key={j.id} data-testid="job-row">
              <RowHeader>
                {j.documentName && j.collectionId ? (
                  <>
                    <TextLink href={`/collections/${j.collectionId}`}>{j.documentName}</TextLink>
                    <span className="block text-xs text-gray-700 dark:text-gray-300">{j.collectionName}</span>
                  </>
                ) : (
                  <span className="text-gray-700 dark:text-gray-300">{j.kind} (no document)</span>
                )}
              </RowHeader>
              <Td>
                <JobStatusBadge status={j.status} />
              </Td>
              <td
                className={`${tdClass} ${showError ? "text-red-900 dark:text-red-200" : ""}`}
                data-testid={showError ? "job-error" : "job-progress"}
              >
                {showError
                  ? (j.error ?? "No error recorded")
                  : j.status === "failed"
                    ? (j.error ?? "Failed")
                    : (j.message ?? formatPercent(j.progress))}
              </td>
              <Td>
                {j.attempts} of {j.maxAttempts}
              </Td>
              <Td>
                <DateTime value={new Date(showError ? (j.finishedAt ?? j.createdAt) : j.createdAt)} />
              </Td>
            </tr>
          ))}
        </tbody>
      </Table>
    </div>
  );
}
