import { loadConfig } from "@gradphoto/config";
import { createDb, migrate, resolveDatabase } from "@gradphoto/db";
import { sealPlaintextPhones } from "../services/admin/phone-backfill.js";
import { fatal } from "../server.js";

/** Applies pending SQL migrations (embedded database when DATABASE_URL is unset). */
async function main(): Promise<void> {
  const config = loadConfig();
  const db = await resolveDatabase({ databaseUrl: config.env.DATABASE_URL, dataDir: config.dataDir });
  try {
    const r = await migrate(db.url, { log: (m) => process.stderr.write(`${m}\n`) });
    process.stderr.write(`migrations: ${r.applied.length} applied, ${r.alreadyApplied.length} already applied (${db.kind})\n`);
    // Data that needs the application's key: plaintext phone numbers from before 20261207062000.
    const client = createDb(db.url, { poolMax: 1 });
    try {
      const sealed = await sealPlaintextPhones(client, config.idEncryptionKey);
      process.stderr.write(`roster phones: ${sealed} encrypted\n`);
    } finally {
      await client.$disconnect();
    }
  } finally {
    await db.close();
  }
}
main().catch(fatal);
