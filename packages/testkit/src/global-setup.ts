import type { TestProject } from "vitest/node";
import "./provided.js";
import { migrate, startEmbeddedDatabase, type EmbeddedDatabase } from "@gradphoto/db";

// One freshly migrated database for the whole run: DATABASE_URL when set (CI creates and drops it),
// otherwise an in-memory PGlite served on loopback. Test files share it and create their own rows.
let embedded: EmbeddedDatabase | undefined;

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  let url = process.env.DATABASE_URL;
  if (!url) {
    embedded = await startEmbeddedDatabase({ dataDir: "memory://" });
    url = embedded.url;
  }
  await migrate(url);
  project.provide("databaseUrl", url);
  project.provide("databaseKind", embedded ? "pglite" : "postgres");
  return async () => {
    await embedded?.stop();
  };
}

