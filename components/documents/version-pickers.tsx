import { Button } from "@/components/ui/button";
import { Label, Select } from "@/components/ui/field";
import type { VersionSide } from "@/lib/documents/changes";

const day = (iso: string) => iso.slice(0, 10);

function optionLabel(v: VersionSide): string {
  return v.effectiveFrom ? `Version ${v.versionNumber} (from ${day(v.effectiveFrom)})` : `Version ${v.versionNumber}`;
}

/**
 * Which two versions to compare: a plain GET form back to the same page, so it works without
 * script and the choice stays in the address to share. Only versions the caller may compare
 * are offered; the verb checks the choice again.
 */
export function VersionPickers({
  documentId,
  versions,
  from,
  to,
}: {
  documentId: string;
  versions: VersionSide[];
  from: string;
  to: string;
}) {
  if (versions.length < 3) return null;
  const picker = (name: "from" | "to", label: string, selected: string) => (
    <div>
      <Label htmlFor={`changes-${name}`}>{label}</Label>
      <Select id={`changes-${name}`} name={name} defaultValue={selected} className="mt-1">
        {versions.map((v) => (
          <option key={v.versionId} value={v.versionId}>
            {optionLabel(v)}
          </option>
        ))}
      </Select>
    </div>
  );
  return (
    <form
      method="get"
      action={`/documents/${documentId}/changes`}
      className="flex flex-wrap items-end gap-3"
      data-testid="changes-pickers"
    >
      {picker("from", "Compare", from)}
      {picker("to", "with", to)}
      <Button type="submit" variant="secondary">
        Compare
      </Button>
    </form>
  );
}
