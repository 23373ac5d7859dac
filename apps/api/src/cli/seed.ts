import { loadConfig } from "@gradphoto/config";
import { mkdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import { createDb, defaultDataDir, migrate, repoRoot, resolveDatabase } from "@gradphoto/db";
import { createStorage } from "@gradphoto/storage";
import { DEMO_PASSWORD, seedDemo } from "../seed.js";
import { STUDIO_ATTRIBUTION } from "../demo-photos.js";
import { fatal } from "../server.js";

/** Migrates, then seeds the demo school, campaign, roster and staff accounts (idempotent). */
async function main(): Promise<void> {
  const config = loadConfig();
  const database = await resolveDatabase({ databaseUrl: config.env.DATABASE_URL, dataDir: config.dataDir });
  const db = createDb(database.url, { poolMax: 2 });
  try {
    await migrate(database.url, { log: (m) => process.stderr.write(`${m}\n`) });
    const sharedDir = process.env.SHARED_DIR ?? path.resolve(repoRoot(), "..", "shared");
    const codesDir = path.join(config.dataDir ?? defaultDataDir(), "demo-codes");
    const r = await seedDemo(db, { storage: createStorage(config.storage), studioDir: path.join(sharedDir, "testdata", "faces-studio"), codesDir });
    process.stderr.write(`demo data ready: school 示范大学 (10999), campaign ${r.campaignId}\n`);
    // scripts/dev.ts reads it to print the H5 link that opens the demo campaign.
    const dataDir = config.dataDir ?? defaultDataDir();
    mkdirSync(dataDir, { recursive: true });
    writeFileSync(path.join(dataDir, "demo.json"), `${JSON.stringify({ campaignId: r.campaignId }, null, 2)}\n`);
    process.stderr.write(`demo 采集码 images (scan or upload them in the H5 app): ${codesDir}\n`);
    const withPhoto = r.codes.filter((c) => c.graduationPhoto);
    if (withPhoto.length) {
      process.stderr.write(`demo graduates with an admission photo: ${withPhoto.length}; each has a photo that passes the checks and the comparison, e.g. ${withPhoto[0]!.name} ${withPhoto[0]!.uniqueNumber}: scan ${withPhoto[0]!.file ?? "its 采集码"}, then upload ${withPhoto[0]!.graduationPhoto}\n`);
      process.stderr.write(`${STUDIO_ATTRIBUTION}\n`);
    }
    process.stderr.write(`staff logins (password "${DEMO_PASSWORD}"): ${r.staff.map((s) => `${s.username} (${s.role})`).join(", ")}\n`);
  } finally {
    await db.$disconnect();
    await database.close();
  }
}
main().catch(fatal);
