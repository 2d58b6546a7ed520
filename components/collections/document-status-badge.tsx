import type { VersionStatus } from "@/db/schema";

// Text carries the meaning; colour only repeats it.
const STYLES: Record<VersionStatus, { label: string; className: string }> = {
  queued: { label: "Queued", className: "border-gray-500 bg-gray-50 text-gray-900" },
  processing: { label: "Processing", className: "border-blue-700 bg-blue-50 text-blue-900" },
  ready: { label: "Ready", className: "border-green-700 bg-green-50 text-green-900" },
  failed: { label: "Failed", className: "border-red-700 bg-red-50 text-red-900" },
  superseded: { label: "Superseded", className: "border-gray-500 bg-gray-50 text-gray-900" },
  deleted: { label: "Deleted", className: "border-gray-500 bg-gray-50 text-gray-900" },
  quarantined: { label: "Awaiting review", className: "border-amber-700 bg-amber-50 text-amber-950" },
};

export function DocumentStatusBadge({ status }: { status: VersionStatus }) {
  const style = STYLES[status];
  return (
    <span
      data-testid="doc-status"
      className={`rounded border px-2 py-0.5 text-xs font-medium whitespace-nowrap ${style.className}`}
    >
      {style.label}
    </span>
  );
}
