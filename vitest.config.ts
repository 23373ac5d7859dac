import path from "node:path";
import { defineConfig } from "vitest/config";

const root = import.meta.dirname;

// One run for the whole monorepo. Database tests share one freshly migrated database per run
// (DATABASE_URL, or an embedded PGlite served on a local socket), started in the global setup.
export default defineConfig({
  resolve: {
    // Tests resolve workspace packages from source, whichever package imports them.
    alias: [{ find: /^@gradphoto\/([a-z-]+)$/, replacement: path.join(root, "packages/$1/src/index.ts") }],
  },
  test: {
    include: ["packages/*/test/**/*.test.ts", "apps/*/test/**/*.test.ts"],
    globalSetup: ["packages/testkit/src/global-setup.ts"],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    pool: "forks",
    poolOptions: { forks: { maxForks: 2, minForks: 1 } },
  },
});
