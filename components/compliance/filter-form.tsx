import type { AuditFilters } from "@/lib/audit/filters";
import { AUDIT_EVENT_TYPES } from "@/lib/audit/types";
import { Input, Label, Select } from "@/components/ui/field";
import { Button } from "@/components/ui/button";
import { TextLink } from "@/components/ui/text-link";

const FAMILIES = [...new Set(AUDIT_EVENT_TYPES.map((t) => t.split(".")[0]!))];
/** Families whose "all" option needs more than the family's name to be understood. */
const FAMILY_LABELS: Record<string, string> = { read: "Reads: who opened files, passages, audit events, review items" };

/** The log's filters as a plain GET form: every filtered view has its own URL to share. */
export function FilterForm({
  filters,
  collections,
}: {
  filters: AuditFilters;
  collections: { id: string; name: string }[];
}) {
  const type = filters.type?.[0] ?? "";
  const field = (name: string, label: string, input: React.ReactNode) => (
    <div>
      <Label htmlFor={`f-${name}`}>{label}</Label>
      <div className="mt-1">{input}</div>
    </div>
  );
  return (
    <form
      method="get"
      action="/compliance"
      className="grid grid-cols-1 gap-3 sm:grid-cols-3"
      data-testid="audit-filters"
    >
      {field(
        "user",
        "User (email)",
        <Input id="f-user" name="user" defaultValue={filters.user ?? ""} autoComplete="off" />,
      )}
      {field(
        "from",
        "From (UTC)",
        <Input id="f-from" name="from" type="date" defaultValue={filters.from?.slice(0, 10) ?? ""} />,
      )}
      {field(
        "to",
        "To (UTC, inclusive)",
        <Input id="f-to" name="to" type="date" defaultValue={filters.to?.slice(0, 10) ?? ""} />,
      )}
      {field(
        "collection",
        "Collection",
        <Select id="f-collection" name="collection" defaultValue={filters.collection ?? ""}>
          <option value="">Any</option>
          {collections.map((c) => (
            <option key={c.id} value={c.id}>
              {c.name}
            </option>
          ))}
          {filters.collection && !collections.some((c) => c.id === filters.collection) ? (
            <option value={filters.collection}>{filters.collection}</option>
          ) : null}
        </Select>,
      )}
      {field(
        "document",
        "Document id",
        <Input id="f-document" name="document" defaultValue={filters.document ?? ""} autoComplete="off" />,
      )}
      {field(
        "type",
        "Event type",
        <Select id="f-type" name="type" defaultValue={type}>
          <option value="">Any</option>
          {FAMILIES.map((f) => (
            <optgroup key={f} label={f}>
              <option value={f}>{FAMILY_LABELS[f] ?? `All ${f} events`}</option>
              {AUDIT_EVENT_TYPES.filter((t) => t.startsWith(`${f}.`)).map((t) => (
                <option key={t} value={t}>
                  {t}
                </option>
              ))}
            </optgroup>
          ))}
        </Select>,
      )}
      <div className="sm:col-span-2">
        {field(
          "q",
          "Words",
          <Input
            id="f-q"
            name="q"
            defaultValue={filters.q ?? ""}
            autoComplete="off"
            placeholder='e.g. insulin "hand hygiene" -draft'
          />,
        )}
      </div>
      <div className="flex items-end gap-3">
        <Button type="submit" data-testid="apply-filters">
          Filter
        </Button>
        <TextLink href="/compliance" className="py-2 text-sm">
          Clear
        </TextLink>
      </div>
    </form>
  );
}
