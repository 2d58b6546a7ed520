import nextVitals from "eslint-config-next/core-web-vitals";
import nextTs from "eslint-config-next/typescript";

const config = [
  ...nextVitals,
  ...nextTs,
  {
    ignores: [
      ".next/**",
      "node_modules/**",
      ".tmp/**",
      "dist/**",
      "data/**",
      "test-results/**",
      "playwright-report/**",
      "next-env.d.ts",
      "db/migrations/**",
    ],
  },
  {
    rules: {
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_", varsIgnorePattern: "^_" }],
      "no-empty": ["error", { allowEmptyCatch: false }],
    },
  },
  // The layers (docs/adr/0012-service-layer.md): app/ and components/ → lib/ → db/; ingest/ sits
  // beside lib/ and may use it. Type-only imports are erased at build time and stay allowed, so a
  // page may name a row type; tests may reach across layers to set up what they check.
  layer(
    ["app/**", "components/**"],
    ["@/db", "@/db/*", "@/db/**"],
    "app/ and components/ reach the database through a lib/ verb, never db/ directly.",
  ),
  layer(
    ["db/**"],
    ["@/lib", "@/lib/*", "@/lib/**", "@/ingest/**", "@/app/**"],
    "db/ is the bottom layer: it imports nothing from lib/, ingest/ or app/.",
  ),
  layer(
    ["lib/**"],
    ["@/ingest", "@/ingest/*", "@/ingest/**", "@/app/**", "@/components/**", "@/cli/**"],
    "lib/ never imports ingest/, app/, components/ or cli/; pass what it needs in from the caller.",
  ),
];

function layer(files, group, message) {
  return {
    files: files.map((f) => `${f}/*.{ts,tsx,mts,mjs}`),
    ignores: ["**/*.test.ts", "**/*.test.tsx"],
    rules: {
      "no-restricted-imports": "off",
      "@typescript-eslint/no-restricted-imports": ["error", { patterns: [{ group, message, allowTypeImports: true }] }],
    },
  };
}

export default config;
