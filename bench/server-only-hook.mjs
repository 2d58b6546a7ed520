// For bench/load.ts: the route handlers import next/navigation, which needs React's full build,
// so the measuring process runs without the react-server condition; `server-only` (which throws
// outside it) resolves to an empty module instead, as lib/testing/server-only-stub.ts does in Vitest.
import { register } from "node:module";

register(
  "data:text/javascript," +
    encodeURIComponent(`
export async function resolve(specifier, context, next) {
  if (specifier === "server-only") return { url: "data:text/javascript,export {}", shortCircuit: true };
  return next(specifier, context);
}`),
);
