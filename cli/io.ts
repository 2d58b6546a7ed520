import { AppError } from "@/lib/errors";

export async function readPasswordFromStdin(): Promise<string> {
  if (process.stdin.isTTY) {
    throw new AppError("invalid_request", "--password-stdin reads a piped password, e.g. `printf '%s' \"$PW\" | npm run cli -- user add ...`.");
  }
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  // A trailing newline from `echo` is not part of the password.
  const password = Buffer.concat(chunks).toString("utf8").replace(/\r?\n$/, "");
  if (!password) throw new AppError("invalid_request", "No password on standard input.");
  return password;
}

export function printTable(headers: string[], rows: string[][]): void {
  const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? "").length)));
  const line = (cells: string[]) => cells.map((c, i) => c.padEnd(widths[i] ?? 0)).join("  ").trimEnd();
  console.log(line(headers));
  for (const r of rows) console.log(line(r));
  if (rows.length === 0) console.log("(none)");
}
