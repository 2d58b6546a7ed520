import { AppError } from "@/lib/errors";

export async function readPasswordFromStdin(): Promise<string> {
  if (process.stdin.isTTY) {
    throw new AppError(
      "invalid_request",
      "--password-stdin reads a piped password, e.g. `printf '%s' \"$PW\" | npm run cli -- user add ...`.",
    );
  }
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  // A trailing newline from `echo` is not part of the password.
  const password = Buffer.concat(chunks)
    .toString("utf8")
    .replace(/\r?\n$/, "");
  if (!password) throw new AppError("invalid_request", "No password on standard input.");
  return password;
}

export function printTable(headers: string[], rows: string[][], print: (line: string) => void = console.log): void {
  const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? "").length)));
  const line = (cells: string[]) =>
    cells
      .map((c, i) => c.padEnd(widths[i] ?? 0))
      .join("  ")
      .trimEnd();
  print(line(headers));
  for (const r of rows) print(line(r));
  if (rows.length === 0) print("(none)");
}

/** A one-line progress bar on a terminal; occasional plain lines when output is piped. */
export class ProgressLine {
  private lastPlain = -1;
  constructor(private readonly total: number) {}

  update(fraction: number, label: string): void {
    const pct = Math.floor(Math.max(0, Math.min(1, fraction)) * 100);
    if (process.stderr.isTTY) {
      const width = 30;
      const filled = Math.round((pct / 100) * width);
      process.stderr.write(
        `\r[${"#".repeat(filled)}${"-".repeat(width - filled)}] ${String(pct).padStart(3)}% ${label.slice(0, 60).padEnd(60)}`,
      );
    } else if (pct >= this.lastPlain + 10) {
      this.lastPlain = pct - (pct % 10);
      process.stderr.write(`${pct}% ${label}\n`);
    }
  }

  finish(): void {
    if (process.stderr.isTTY) process.stderr.write("\n");
  }
}
