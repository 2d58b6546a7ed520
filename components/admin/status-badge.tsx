// Text carries the meaning; colour only repeats it.
export function StatusBadge({ disabled }: { disabled: boolean }) {
  return (
    <span
      data-testid="user-status"
      className={
        disabled
          ? "rounded border border-red-700 bg-red-50 px-2 py-0.5 text-xs font-medium text-red-900"
          : "rounded border border-green-700 bg-green-50 px-2 py-0.5 text-xs font-medium text-green-900"
      }
    >
      {disabled ? "Disabled" : "Active"}
    </span>
  );
}
