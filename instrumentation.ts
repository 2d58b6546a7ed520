// Next.js calls register() once when the server starts; the Node.js side migrates the
// database, creates the first administrator and opens the CLI channel before any request.
export async function register(): Promise<void> {
  if (process.env.NEXT_RUNTIME !== "nodejs") return;
  const [{ startServer }, { startWorkers }] = await Promise.all([
    import("./lib/server/start"),
    import("./ingest/workers"),
  ]);
  await startServer({ startWorkers });
}
