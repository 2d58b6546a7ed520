import path from "node:path";
import { defineConfig } from "vitest/config";

const root = path.dirname(new URL(import.meta.url).pathname);

export default defineConfig({
  resolve: {
    alias: [
      { find: /^server-only$/, replacement: path.join(root, "lib/testing/server-only-stub.ts") },
      { find: /^@\//, replacement: `${root}/` },
    ],
  },
  test: {
    include: ["**/*.test.ts"],
    exclude: ["node_modules/**", ".next/**", "e2e/**", "data/**", "dist/**"],
    environment: "node",
    pool: "forks",
    testTimeout: 60_000,
    // next-auth imports "next/server" without an extension, which only a bundler resolves; let
    // Vite transform it so route handlers (lib/auth/guards.ts) can be called from tests.
    server: { deps: { inline: ["next-auth"] } },
    hookTimeout: 120_000,
  },
});
