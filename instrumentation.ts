// Next.js calls register() once when the server starts; the Node.js side migrates the
// database, creates the first administrator and opens the CLI channel before any request.
export async function register(): Promise<void> {
  if (process.env.NEXT_RUNTIME !== "nodejs") return;
  const { startServer } = await import("./lib/server/start");
  await startServer();
}
