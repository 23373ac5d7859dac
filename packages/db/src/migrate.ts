import { createHash, randomUUID } from "node:crypto";
import { readdirSync, readFileSync, existsSync } from "node:fs";
import path from "node:path";
import pg from "pg";
import { migrationsDir } from "./paths.js";

/** One SQL migration folder from prisma/migrations. */
export interface MigrationFile {
  name: string;
  sql: string;
  checksum: string;
}

export interface MigrateResult {
  applied: string[];
  alreadyApplied: string[];
}

/** Thrown when the database history disagrees with the migration folder. */
export class MigrationError extends Error {
  constructor(
    readonly code: "MIGRATION_EDITED" | "MIGRATION_FAILED" | "MIGRATION_UNKNOWN" | "MIGRATION_INCOMPLETE",
    message: string,
  ) {
    super(message);
    this.name = "MigrationError";
  }
}

// Same key Prisma Migrate uses, so our applier and `prisma migrate deploy` never run at once.
const ADVISORY_LOCK_KEY = 72707369;

export function readMigrations(dir = migrationsDir()): MigrationFile[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { withFileTypes: true })
    .filter((d) => d.isDirectory())
    .map((d) => d.name)
    .sort()
    .filter((name) => existsSync(path.join(dir, name, "migration.sql")))
    .map((name) => {
      const sql = readFileSync(path.join(dir, name, "migration.sql"), "utf8");
      // Prisma records the SHA-256 hex of migration.sql; matching it keeps `prisma migrate deploy` compatible.
      return { name, sql, checksum: createHash("sha256").update(sql).digest("hex") };
    });
}

const HISTORY_TABLE = `
CREATE TABLE IF NOT EXISTS "_prisma_migrations" (
  "id" VARCHAR(36) PRIMARY KEY NOT NULL,
  "checksum" VARCHAR(64) NOT NULL,
  "finished_at" TIMESTAMPTZ,
  "migration_name" VARCHAR(255) NOT NULL,
  "logs" TEXT,
  "rolled_back_at" TIMESTAMPTZ,
  "started_at" TIMESTAMPTZ NOT NULL DEFAULT now(),
  "applied_steps_count" INTEGER NOT NULL DEFAULT 0
)`;

/**
 * Applies pending migrations, each in its own transaction, recorded in Prisma's `_prisma_migrations`
 * table. Idempotent; refuses a migration whose file changed after it was applied.
 */
export async function migrate(
  connectionString: string,
  opts: { dir?: string; log?: (line: string) => void } = {},
): Promise<MigrateResult> {
  const files = readMigrations(opts.dir);
  const { url, schema } = splitSchema(connectionString);
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  // SET LOCAL inside each transaction, never a session-wide SET: on the embedded database every
  // connection shares one session, so a session setting would leak into other clients.
  const begin = async () => {
    await client.query("BEGIN");
    if (schema) await client.query(`SET LOCAL search_path TO ${pg.escapeIdentifier(schema)}`);
  };
  const result: MigrateResult = { applied: [], alreadyApplied: [] };
  try {
    await client.query("SELECT pg_advisory_lock($1)", [ADVISORY_LOCK_KEY]);
    await begin();
    await client.query(HISTORY_TABLE);
    const { rows } = await client.query<{ migration_name: string; checksum: string; finished_at: Date | null; rolled_back_at: Date | null }>(
      `SELECT migration_name, checksum, finished_at, rolled_back_at FROM "_prisma_migrations" WHERE rolled_back_at IS NULL`,
    );
    await client.query("COMMIT");
    const done = new Map(rows.map((r) => [r.migration_name, r]));
    const known = new Set(files.map((f) => f.name));
    for (const r of rows) {
      if (!known.has(r.migration_name)) {
        throw new MigrationError("MIGRATION_UNKNOWN", `database has migration ${r.migration_name} that is not in the migrations folder`);
      }
      if (!r.finished_at) {
        throw new MigrationError("MIGRATION_INCOMPLETE", `migration ${r.migration_name} started but never finished; resolve it before migrating`);
      }
    }
    for (const file of files) {
      const prior = done.get(file.name);
      if (prior) {
        if (prior.checksum !== file.checksum) {
          throw new MigrationError("MIGRATION_EDITED", `migration ${file.name} was edited after it was applied (checksum differs); add a new migration instead`);
        }
        result.alreadyApplied.push(file.name);
        continue;
      }
      try {
        await begin();
        await client.query(file.sql);
        await client.query(
          `INSERT INTO "_prisma_migrations" (id, checksum, migration_name, finished_at, applied_steps_count) VALUES ($1, $2, $3, now(), 1)`,
          [randomUUID(), file.checksum, file.name],
        );
        await client.query("COMMIT");
      } catch (err) {
        await client.query("ROLLBACK").catch(() => undefined);
        throw new MigrationError("MIGRATION_FAILED", `migration ${file.name} failed: ${(err as Error).message}`);
      }
      opts.log?.(`applied ${file.name}`);
      result.applied.push(file.name);
    }
    return result;
  } finally {
    await client.query("SELECT pg_advisory_unlock($1)", [ADVISORY_LOCK_KEY]).catch(() => undefined);
    await client.end();
  }
}

/** Prisma's `?schema=` URL parameter is not a libpq option: strip it and apply it as search_path. */
export function splitSchema(connectionString: string): { url: string; schema?: string } {
  const u = new URL(connectionString);
  const schema = u.searchParams.get("schema") ?? undefined;
  u.searchParams.delete("schema");
  return { url: u.toString(), schema };
}
