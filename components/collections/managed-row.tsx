"use client";

import { useId, useState } from "react";
import { Td } from "@/components/ui/table";

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
        <Td>
          <button
            type="button"
            aria-expanded={open}
            aria-controls={open ? panelId : undefined}
            onClick={() => setOpen((o) => !o)}
            data-testid="doc-manage"
            className="rounded-md whitespace-nowrap text-blue-800 dark:text-blue-300 underline underline-offset-2 hover:text-blue-950 dark:hover:text-blue-200 focus-visible:outline-2 focus-visible:outline-offset-2 focus-visible:outline-blue-700 dark:focus-visible:outline-blue-400"
          >
            {open ? "Close" : "Manage"}
            <span className="sr-only"> {name}</span>
          </button>
        </Td>
      </tr>
      {open ? (
        <tr id={panelId} data-testid={`doc-manage-panel-${name}`}>
          <td
            colSpan={columns}
            className="border-b border-gray-300 dark:border-gray-700 bg-gray-50 dark:bg-gray-900 px-3 py-4"
          >
            {panel}
          </td>
        </tr>
      ) : null}
    </>
  );
}
