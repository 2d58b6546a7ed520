import Link from "next/link";
import { formatPercent } from "@/components/collections/format";
import { DateTime } from "@/components/ui/date-time";
import { linkClass, tableClass, tdClass, thClass } from "@/components/ui/styles";
import type { OverviewJob } from "@/lib/admin/overview";

const STATUS_STYLES: Record<OverviewJob["status"], string> = {
  queued: "border-gray-500 bg-gray-50 text-gray-900",
  running: "border-blue-700 bg-blue-50 text-blue-900",
  succeeded: "border-green-700 bg-green-50 text-green-900",
  failed: "border-red-700 bg-red-50 text-red-900",
};

export function JobStatusBadge({ status }: { status: OverviewJob["status"] }) {
  return (
    <span
      data-testid="job-status"
      className={`rounded border px-2 py-0.5 text-xs font-medium whitespace-nowrap ${STATUS_STYLES[status]}`}
    >
      {status[0]!.toUpperCase() + status.slice(1)}
    </span>
  );
}

/** Jobs with the document they ingest; failures show their error in full (it says what to fix). */
export function JobsTable({ jobs, testId, showError }: { jobs: OverviewJob[]; testId: string; showError: boolean }) {
  return (
    <div className="overflow-x-auto">
      <table className={tableClass} data-testid={testId}>
        <thead>
          <tr>
            <th scope="col" className={thClass}>
              Document
            </th>
            <th scope="col" className={thClass}>
              Status
            </th>
            <th scope="col" className={thClass}>
              {showError ? "Error" : "Progress"}
            </th>
            <th scope="col" className={thClass}>
              Attempts
            </th>
            <th scope="col" className={thClass}>
              {showError ? "Failed" : "Queued"}
            </th>
          </tr>
        </thead>
        <tbody>
          {jobs.map((j) => (
            <tr key={j.id} data-testid="job-row">
              <th scope="row" className={`${tdClass} font-normal`}>
                {j.documentName && j.collectionId ? (
                  <>
                    <Link href={`/collections/${j.collectionId}`} className={linkClass}>
                      {j.documentName}
                    </Link>
                    <span className="block text-xs text-gray-700">{j.collectionName}</span>
                  </>
                ) : (
                  <span className="text-gray-700">{j.kind} (no document)</span>
                )}
              </th>
              <td className={tdClass}>
                <JobStatusBadge status={j.status} />
              </td>
              <td
                className={`${tdClass} ${showError ? "text-red-900" : ""}`}
                data-testid={showError ? "job-error" : "job-progress"}
              >
                {showError
                  ? (j.error ?? "No error recorded")
                  : j.status === "failed"
                    ? (j.error ?? "Failed")
                    : (j.message ?? formatPercent(j.progress))}
              </td>
              <td className={tdClass}>
                {j.attempts} of {j.maxAttempts}
              </td>
              <td className={tdClass}>
                <DateTime value={new Date(showError ? (j.finishedAt ?? j.createdAt) : j.createdAt)} />
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
