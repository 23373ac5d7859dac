import { loadConfig } from "@gradphoto/config";
import { migrate, resolveDatabase } from "@gradphoto/db";
import { fatal } from "../server.js";

/** Applies pending SQL migrations (embedded database when DATABASE_URL is unset). */
async function main(): Promise<void> {
  const config = loadConfig();
  const db = await resolveDatabase({ databaseUrl: config.env.DATABASE_URL, dataDir: config.dataDir });
  try {
    const r = await migrate(db.url, { log: (m) => process.stderr.write(`${m}\n`) });
    process.stderr.write(`migrations: ${r.applied.length} applied, ${r.alreadyApplied.length} already applied (${db.kind})\n`);
  } finally {
    await db.close();
  }
}
main().catch(fatal);
