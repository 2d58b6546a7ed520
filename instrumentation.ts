// Next.js calls register() once when the server starts. Start-up failures (a bad setting, a
// database that cannot be opened or migrated) stop the server with the reason, rather than
// letting it serve errors.
export async function register(): Promise<void> {
  if (process.env.NEXT_RUNTIME !== "nodejs") return;
  const { startServer } = await import("./lib/server/start");
  try {
    await startServer();
  } catch (err) {
    process.stderr.write(`\nThe server could not start: ${err instanceof Error ? err.message : String(err)}\n\n`);
    if (err instanceof Error && err.cause) process.stderr.write(`Cause: ${String(err.cause)}\n`);
    process.exit(1);
  }
}
