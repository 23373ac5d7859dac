import { loadConfig } from "@gradphoto/config";
import { createDb, migrate, resolveDatabase } from "@gradphoto/db";
import { DEMO_PASSWORD, seedDemo } from "../seed.js";
import { fatal } from "../server.js";

/** Migrates, then seeds the demo school, campaign, roster and staff accounts (idempotent). */
async function main(): Promise<void> {
  const config = loadConfig();
  const database = await resolveDatabase({ databaseUrl: config.env.DATABASE_URL, dataDir: config.dataDir });
  const db = createDb(database.url, { poolMax: 2 });
  try {
    await migrate(database.url, { log: (m) => process.stderr.write(`${m}\n`) });
    const r = await seedDemo(db);
    process.stderr.write(`demo data ready: school 示范大学 (10999), campaign ${r.campaignId}\n`);
    process.stderr.write(`staff logins (password "${DEMO_PASSWORD}"): ${r.staff.map((s) => `${s.username} (${s.role})`).join(", ")}\n`);
  } finally {
    await db.$disconnect();
    await database.close();
  }
}
main().catch(fatal);
