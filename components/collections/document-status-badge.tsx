import type { VersionStatus } from "@/db/schema";
import { Badge, type BadgeTone } from "@/components/ui/badge";

const STYLES: Record<VersionStatus, { label: string; tone: BadgeTone }> = {
  queued: { label: "Queued", tone: "neutral" },
  processing: { label: "Processing", tone: "info" },
  ready: { label: "Ready", tone: "success" },
  failed: { label: "Failed", tone: "danger" },
  superseded: { label: "Superseded", tone: "neutral" },
  deleted: { label: "Deleted", tone: "neutral" },
  quarantined: { label: "Awaiting review", tone: "warning" },
};

export function DocumentStatusBadge({ status }: { status: VersionStatus }) {
  const style = STYLES[status];
  return (
    <Badge tone={style.tone} data-testid="doc-status">
      {style.label}
    </Badge>
  );
}
