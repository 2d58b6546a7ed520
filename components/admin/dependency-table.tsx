"use client";

import { useDeferredValue, useMemo, useState } from "react";
import { inputClass, labelClass, tableClass, tdClass, thClass } from "@/components/ui/styles";
import type { DependencyRow, DependencyScope } from "@/lib/aibom/rows";

const SCOPES: { value: DependencyScope | "all"; label: string }[] = [
  { value: "all", label: "All scopes" },
  { value: "required", label: "Required" },
  { value: "optional", label: "Optional" },
  { value: "dev", label: "Development only" },
];

/** Every package of the lockfile, searchable by name, version or license and filterable by scope. */
export function DependencyTable({ rows }: { rows: DependencyRow[] }) {
  const [query, setQuery] = useState("");
  const [scope, setScope] = useState<DependencyScope | "all">("all");
  const deferredQuery = useDeferredValue(query);
  const shown = useMemo(() => {
    const q = deferredQuery.trim().toLowerCase();
    return rows.filter(
      (r) =>
        (scope === "all" || r.scope === scope) &&
        (!q || r.name.toLowerCase().includes(q) || r.version.includes(q) || r.license.toLowerCase().includes(q)),
    );
  }, [rows, deferredQuery, scope]);

  return (
    <div className="space-y-3">
      <div className="flex flex-wrap items-end gap-4">
        <div className="min-w-64 flex-1">
          <label htmlFor="dependency-search" className={labelClass}>
            Search packages
          </label>
          <input
            id="dependency-search"
            type="search"
            className={inputClass}
            value={query}
            onChange={(e) => setQuery(e.target.value)}
            placeholder="Name, version or license"
            data-testid="dependency-search"
          />
        </div>
        <div>
          <label htmlFor="dependency-scope" className={labelClass}>
            Scope
          </label>
          <select
            id="dependency-scope"
            className={inputClass}
            value={scope}
            onChange={(e) => setScope(e.target.value as DependencyScope | "all")}
            data-testid="dependency-scope"
          >
            {SCOPES.map((s) => (
              <option key={s.value} value={s.value}>
                {s.label}
              </option>
            ))}
          </select>
        </div>
      </div>
      <p className="text-sm" role="status" data-testid="dependency-count">
        Showing {shown.length} of {rows.length} packages.
      </p>
      <div className="max-h-[40rem] overflow-auto">
        <table className={tableClass} data-testid="dependency-table">
          <thead className="sticky top-0 bg-white">
            <tr>
              <th scope="col" className={thClass}>
                Package
              </th>
              <th scope="col" className={thClass}>
                Version
              </th>
              <th scope="col" className={thClass}>
                Scope
              </th>
              <th scope="col" className={thClass}>
                License
              </th>
              <th scope="col" className={thClass}>
                Installed
              </th>
              <th scope="col" className={thClass}>
                Lockfile hash
              </th>
            </tr>
          </thead>
          <tbody>
            {shown.map((r) => (
              <tr key={r.ref} data-testid="dependency-row" data-name={r.name}>
                <th scope="row" className={`${tdClass} font-normal break-all`} title={r.purl}>
                  {r.name}
                </th>
                <td className={tdClass}>{r.version}</td>
                <td className={tdClass} data-testid="dependency-row-scope">
                  {r.scope}
                </td>
                <td className={tdClass}>{r.license || <span className="text-gray-600">Not declared</span>}</td>
                <td className={tdClass}>{r.installed ? "Yes" : "No"}</td>
                <td className={`${tdClass} font-mono text-xs`} title={r.hash ?? undefined}>
                  {r.hash ? `${r.hash.slice(0, 20)}…` : "—"}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </div>
  );
}
