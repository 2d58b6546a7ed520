"use client";

import { useId, useState } from "react";
import { tdClass } from "@/components/ui/styles";

/**
 * A table row with a "Manage" toggle that opens a full-width row beneath it, so the document's
 * forms get the table's whole width instead of squeezing into the last column.
 */
export function ManagedRow({
  name,
  testId,
  columns,
  cells,
  panel,
}: {
  name: string;
  testId: string;
  /** How many columns the row has, the toggle's included. */
  columns: number;
  cells: React.ReactNode;
  panel: React.ReactNode;
}) {
  const [open, setOpen] = useState(false);
  const panelId = useId();
  return (
    <>
      <tr data-testid={testId}>
        {cells}
        <td className={tdClass}>
          <button
            type="button"
            aria-expanded={open}
            aria-controls={open ? panelId : undefined}
            onClick={() => setOpen((o) => !o)}
            data-testid="doc-manage"
            className="rounded-md whitespace-nowrap text-blue-800 underline underline-offset-2 hover:text-blue-950 focus-visible:outline-2 focus-visible:outline-offset-2 focus-visible:outline-blue-700"
          >
            {open ? "Close" : "Manage"}
            <span className="sr-only"> {name}</span>
          </button>
        </td>
      </tr>
      {open ? (
        <tr id={panelId} data-testid={`doc-manage-panel-${name}`}>
          <td colSpan={columns} className="border-b border-gray-300 bg-gray-50 px-3 py-4">
            {panel}
          </td>
        </tr>
      ) : null}
    </>
  );
}
