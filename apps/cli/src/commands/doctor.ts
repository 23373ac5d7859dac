import { access, constants } from "node:fs/promises";
import { z } from "zod";
import { loadConfig } from "@gradphoto/config";
import { assertReachable, readMigrations, redactUrl, resolveDatabase } from "@gradphoto/db";
import { createStorage } from "@gradphoto/storage";
import { modelDir, verifyModels } from "@gradphoto/vision";
import { DEFAULT_MODEL_CONFIG_PATH, describeModelCard } from "@gradphoto/face";
import pg from "pg";

export const DoctorCheckSchema = z.object({
  id: z.string(),
  ok: z.boolean(),
  detail: z.string(),
});
export const DoctorReportSchema = z.object({ ok: z.boolean(), checks: z.array(DoctorCheckSchema) });
export type DoctorReport = z.infer<typeof DoctorReportSchema>;

/** Checks what a running system needs: Node, models, database (and migrations), storage. */
export async function runDoctor(): Promise<DoctorReport> {
  const checks: DoctorReport["checks"] = [];
  const add = (id: string, ok: boolean, detail: string) => checks.push({ id, ok, detail });

  const [major, minor] = process.versions.node.split(".").map(Number) as [number, number];
  add("node", major > 20 || (major === 20 && minor >= 19), `Node ${process.versions.node} (needs ≥ 20.19)`);

  const dir = modelDir();
  const dirOk = await access(dir, constants.R_OK).then(() => true, () => false);
  add("models.dir", dirOk, dirOk ? `MODEL_DIR ${dir}` : `MODEL_DIR ${dir} is missing; set MODEL_DIR to the folder holding the ONNX models`);
  if (dirOk) {
    for (const m of verifyModels(dir)) {
      add(`models.${m.id}`, m.present && m.sha256Ok, !m.present ? `${m.file} missing` : m.sha256Ok ? `${m.file} sha256 ok` : `${m.file} sha256 mismatch (${m.actualSha256})`);
    }
  }

  let config;
  try {
    config = loadConfig();
    add("config", true, "environment settings valid");
  } catch (e) {
    add("config", false, (e as Error).message);
    return { ok: false, checks };
  }

  // The face recognition model: its card, licence note and calibration (the API refuses to start without one).
  const face = describeModelCard(config.env.FACE_MODEL_CARD ?? DEFAULT_MODEL_CONFIG_PATH, dir);
  add("face.model", face.ok, face.detail);

  try {
    const db = await resolveDatabase({ databaseUrl: config.env.DATABASE_URL, dataDir: config.dataDir });
    try {
      await assertReachable(db.url);
      add("database", true, db.kind === "embedded" ? "embedded PGlite reachable" : `PostgreSQL reachable at ${redactUrl(db.url)}`);
      const c = new pg.Client({ connectionString: db.url });
      await c.connect();
      const applied = await c
        .query<{ n: string }>(`SELECT count(*)::text AS n FROM "_prisma_migrations" WHERE finished_at IS NOT NULL AND rolled_back_at IS NULL`)
        .then((r) => Number(r.rows[0]?.n ?? 0), () => 0);
      await c.end();
      const total = readMigrations().length;
      add("database.migrations", applied >= total, `${applied}/${total} migrations applied${applied < total ? " (run pnpm db:migrate or start the API)" : ""}`);
    } finally {
      await db.close();
    }
  } catch (e) {
    add("database", false, (e as Error).message);
  }

  try {
    await createStorage(config.storage).healthCheck();
    add("storage", true, `${config.storage.driver} storage writable`);
  } catch (e) {
    add("storage", false, (e as Error).message);
  }
  return { ok: checks.every((c) => c.ok), checks };
}
