// CSV → one self-describing record block per row ("Header: value; Header: value"), so that a
// retrieved row still says what each value means without the header row next to it.

import { CsvError, parse } from "csv-parse/sync";
import type { ParsedDocument } from "@/lib/documents/parsed";
import { damaged } from "./errors";
import { BlockSink, finishDocument } from "./blocks";
import { extensionOf, headerDelimiter, sniffDelimiter } from "./sniff";
import { collapseSpace, normalizeNewlines } from "./text-utils";

const MAX_LISTED_ROWS = 10;

function listRows(rows: number[]): string {
  const shown = rows.slice(0, MAX_LISTED_ROWS).join(", ");
  return rows.length > MAX_LISTED_ROWS ? `${shown} and ${rows.length - MAX_LISTED_ROWS} more` : shown;
}

export function parseCsv(text: string, filename: string): ParsedDocument {
  const source = normalizeNewlines(text);
  const delimiter =
    sniffDelimiter(source, 2) ?? headerDelimiter(source) ?? (extensionOf(filename) === "tsv" ? "\t" : ",");
  let records: string[][];
  try {
    records = parse(source, {
      delimiter,
      relax_column_count: true,
      relax_quotes: true,
      skip_empty_lines: true,
      trim: true,
    });
  } catch (err) {
    if (err instanceof CsvError) {
      throw damaged("CSV file", err);
    }
    throw err;
  }

  const [header = [], ...rows] = records;
  const names = header.map((h, i) => collapseSpace(h) || `Column ${i + 1}`);
  const sink = new BlockSink();
  sink.add("table", names.join(" | "));
  const ragged: number[] = [];
  rows.forEach((row, i) => {
    if (row.length !== header.length) ragged.push(i + 2); // 1-based, counting the header row
    const fields: string[] = [];
    row.forEach((value, col) => {
      const v = collapseSpace(value);
      if (v) fields.push(`${names[col] ?? `Column ${col + 1}`}: ${v}`);
    });
    sink.add("record", fields.join("; "));
  });

  const warnings: string[] = [];
  if (ragged.length > 0) {
    warnings.push(
      `${ragged.length} ${ragged.length === 1 ? "row has" : "rows have"} a different number of fields than the header (row ${listRows(ragged)}).`,
    );
  }
  return finishDocument("csv", sink, { warnings });
}
