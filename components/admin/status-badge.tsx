import { Badge } from "@/components/ui/badge";

export function StatusBadge({ disabled }: { disabled: boolean }) {
  return (
    <Badge tone={disabled ? "danger" : "success"} data-testid="user-status">
      {disabled ? "Disabled" : "Active"}
    </Badge>
  );
}
