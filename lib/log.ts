// Structured one-line logs on stdout/stderr. Never pass secrets, password material or
// document text here: the log is readable by operators who are not cleared for content.

type Level = "debug" | "info" | "warn" | "error";
const ORDER: Record<Level, number> = { debug: 10, info: 20, warn: 30, error: 40 };

function threshold(): number {
  const level = (process.env.LOG_LEVEL ?? "info") as Level;
  return ORDER[level] ?? ORDER.info;
}

// Database errors quote the failed statement's parameters, which can be document text, questions
// or answers; the statement itself is kept, the values are not.
function withoutParams(text: string | undefined): string | undefined {
  return text?.replace(/\nparams: [\s\S]*?(?=\n {4}at |$)/, "\nparams: [withheld]");
}

function serializeError(err: unknown): unknown {
  if (!(err instanceof Error)) return err;
  const out: Record<string, unknown> = {
    name: err.name,
    message: withoutParams(err.message),
    stack: withoutParams(err.stack),
  };
  if (err.cause !== undefined) out.cause = serializeError(err.cause);
  return out;
}

// A command whose standard output is its result (JSON for a pipeline) sends every log line to
// standard error; services (the server, `cli worker`) keep info lines on standard output.
let everythingToStderr = false;

export function sendLogsToStderr(): void {
  everythingToStderr = true;
}

function write(level: Level, msg: string, fields?: Record<string, unknown>): void {
  if (ORDER[level] < threshold()) return;
  const entry: Record<string, unknown> = { time: new Date().toISOString(), level, msg };
  for (const [k, v] of Object.entries(fields ?? {})) entry[k] = k === "err" ? serializeError(v) : v;
  const line = JSON.stringify(entry);
  if (everythingToStderr || level === "error" || level === "warn") process.stderr.write(line + "\n");
  else process.stdout.write(line + "\n");
}

export const log = {
  debug: (msg: string, fields?: Record<string, unknown>) => write("debug", msg, fields),
  info: (msg: string, fields?: Record<string, unknown>) => write("info", msg, fields),
  warn: (msg: string, fields?: Record<string, unknown>) => write("warn", msg, fields),
  error: (msg: string, fields?: Record<string, unknown>) => write("error", msg, fields),
};
