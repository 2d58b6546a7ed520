"use client";

import { useDeferredValue, useMemo, useState } from "react";
import type { DependencyRow, DependencyScope } from "@/lib/aibom/rows";
import { RowHeader, Table, Td, Th } from "@/components/ui/table";
import { Button } from "@/components/ui/button";
import { Input, Label, Select } from "@/components/ui/field";
import { focusRing } from "@/components/ui/styles";

const SCOPES: { value: DependencyScope | "all"; label: string }[] = [
  { value: "all", label: "All scopes" },
  { value: "required", label: "Required" },
  { value: "optional", label: "Optional" },
  { value: "dev", label: "Development only" },
];

/** Rows drawn at first and added by each "Show more": a thousand rows at once make the page slow. */
const PAGE = 100;

/** Every package of the lockfile, searchable by name, version or license and filterable by scope. */
export function DependencyTable({ rows }: { rows: DependencyRow[] }) {
  const [query, setQuery] = useState("");
  const [scope, setScope] = useState<DependencyScope | "all">("all");
  // How many matching rows are drawn; a new search or scope starts again from one page.
  const [limit, setLimit] = useState({ key: "", count: PAGE });
  const deferredQuery = useDeferredValue(query);
  const shown = useMemo(() => {
    const q = deferredQuery.trim().toLowerCase();
    return rows.filter(
      (r) =>
        (scope === "all" || r.scope === scope) &&
        (!q || r.name.toLowerCase().includes(q) || r.version.includes(q) || r.license.toLowerCase().includes(q)),
    );
  }, [rows, deferredQuery, scope]);
  const key = `${scope}\u0000${deferredQuery}`;
  const count = limit.key === key ? limit.count : PAGE;
  const drawn = shown.slice(0, count);
  const filtered = shown.length !== rows.length;

  return (
    <div className="space-y-3">
      <div className="flex flex-wrap items-end gap-4">
        <div className="min-w-64 flex-1">
          <Label htmlFor="dependency-search">Search packages</Label>
          <Input
            id="dependency-search"
            type="search"
            value={query}
            onChange={(e) => setQuery(e.target.value)}
            placeholder="Name, version or license"
            data-testid="dependency-search"
          />
        </div>
        <div>
          <Label htmlFor="dependency-scope">Scope</Label>
          <Select
            id="dependency-scope"
            value={scope}
            onChange={(e) => setScope(e.target.value as DependencyScope | "all")}
            data-testid="dependency-scope"
          >
            {SCOPES.map((s) => (
              <option key={s.value} value={s.value}>
                {s.label}
              </option>
            ))}
          </Select>
        </div>
      </div>
      <p className="text-sm" role="status" data-testid="dependency-count">
        Showing {drawn.length} of {rows.length} packages{filtered ? ` (${shown.length} match)` : ""}.
      </p>
      {/* A scrolling box a keyboard can reach: focused, the arrow keys scroll it. */}
      <div
        className={`max-h-[40rem] overflow-auto ${focusRing}`}
        tabIndex={0}
        role="region"
        aria-label="Packages"
        data-testid="dependency-scroll"
      >
        <Table data-testid="dependency-table">
          <thead className="sticky top-0 bg-white dark:bg-gray-900">
            <tr>
              <Th>Package</Th>
              <Th>Version</Th>
              <Th>Scope</Th>
              <Th>License</Th>
              <Th>Installed</Th>
              <Th>Lockfile hash</Th>
            </tr>
          </thead>
          <tbody>
            {drawn.map((r) => (
              <tr key={r.ref} data-testid="dependency-row" data-name={r.name}>
                <RowHeader className="break-all" title={r.purl}>
                  {r.name}
                </RowHeader>
                <Td>{r.version}</Td>
                <Td data-testid="dependency-row-scope">{r.scope}</Td>
                <Td>{r.license || <span className="text-gray-600 dark:text-gray-400">Not declared</span>}</Td>
                <Td>{r.installed ? "Yes" : "No"}</Td>
                <Td className="font-mono text-xs" title={r.hash ?? undefined}>
                  {r.hash ? `${r.hash.slice(0, 20)}…` : "—"}
                </Td>
              </tr>
            ))}
          </tbody>
        </Table>
      </div>
      {drawn.length < shown.length ? (
        <Button
          type="button"
          variant="secondary"
          onClick={() => setLimit({ key, count: count + PAGE })}
          data-testid="dependency-more"
        >
          Show {Math.min(PAGE, shown.length - drawn.length)} more ({shown.length - drawn.length} not shown)
        </Button>
      ) : null}
    </div>
  );
}
