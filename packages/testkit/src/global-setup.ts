import type { TestProject } from "vitest/node";
import "./provided.js";
import { migrate, startEmbeddedDatabase, type EmbeddedDatabase } from "@gradphoto/db";

// One freshly migrated database for the whole run: DATABASE_URL when set (CI creates and drops it),
// otherwise an in-memory PGlite served on loopback. Test files share it and create their own rows.
let embedded: EmbeddedDatabase | undefined;

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  // The development switch for everything a test starts (API and CLI processes inherit it): the
  // API is production by default and refuses to start without real secrets. Set here, before the
  // test workers start, so no test has to say it (vitest itself only sets it when unset).
  process.env.NODE_ENV = "test";
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

