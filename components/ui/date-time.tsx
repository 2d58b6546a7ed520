// Times are shown in UTC with the zone named, so an audit reader never has to guess the offset.

export function formatUtc(value: Date): string {
  return `${value.toISOString().slice(0, 16).replace("T", " ")} UTC`;
}

export function DateTime({ value, empty = "Never" }: { value: Date | null; empty?: string }) {
  if (!value) return <span className="text-gray-600 dark:text-gray-400">{empty}</span>;
  return <time dateTime={value.toISOString()}>{formatUtc(value)}</time>;
}
