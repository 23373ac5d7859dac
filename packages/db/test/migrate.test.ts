import { mkdtempSync, mkdirSync, writeFileSync, cpSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import pg from "pg";
import { describe, expect, it } from "vitest";
import { migrate, migrationsDir, MigrationError } from "@gradphoto/db";
import { testDatabaseUrl, uniqueSuffix } from "@gradphoto/testkit";

// Runs the applier against a private schema so it never touches the shared tables.
async function withSchema<T>(fn: (url: string, schema: string) => Promise<T>): Promise<T> {
  const schema = `mig_${uniqueSuffix()}`;
  const admin = new pg.Client({ connectionString: testDatabaseUrl() });
  await admin.connect();
  await admin.query(`CREATE SCHEMA "${schema}"`);
  try {
    const url = new URL(testDatabaseUrl());
    url.searchParams.set("schema", schema);
    return await fn(url.toString(), schema);
  } finally {
    await admin.query(`DROP SCHEMA "${schema}" CASCADE`);
    await admin.end();
  }
}

function tempMigrations(files: Record<string, string>): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), "mig-"));
  for (const [name, sql] of Object.entries(files)) {
    mkdirSync(path.join(dir, name));
    writeFileSync(path.join(dir, name, "migration.sql"), sql);
  }
  return dir;
}

describe("migration applier", () => {
  it("applies once, then is idempotent", async () => {
    const dir = tempMigrations({ "001_a": "CREATE TABLE a (id int);", "002_b": "CREATE TABLE b (id int);" });
    await withSchema(async (url) => {
      const first = await migrate(url, { dir });
      expect(first.applied).toEqual(["001_a", "002_b"]);
      const second = await migrate(url, { dir });
      expect(second.applied).toEqual([]);
      expect(second.alreadyApplied).toEqual(["001_a", "002_b"]);
    });
  });

  it("rolls back a failing migration completely and records nothing", async () => {
    const dir = tempMigrations({ "001_ok": "CREATE TABLE ok (id int);", "002_bad": "CREATE TABLE half (id int); SELECT * FROM missing_table;" });
    await withSchema(async (url, schema) => {
      await expect(migrate(url, { dir })).rejects.toMatchObject({ code: "MIGRATION_FAILED" });
      const c = new pg.Client({ connectionString: testDatabaseUrl() });
      await c.connect();
      const tables = await c.query(`SELECT table_name FROM information_schema.tables WHERE table_schema = $1 ORDER BY 1`, [schema]);
      const names = tables.rows.map((r) => r.table_name);
      expect(names).toContain("ok");
      expect(names).not.toContain("half");
      const hist = await c.query(`SELECT migration_name FROM "${schema}"."_prisma_migrations"`);
      expect(hist.rows.map((r) => r.migration_name)).toEqual(["001_ok"]);
      await c.end();
    });
  });

  it("refuses a migration edited after it was applied", async () => {
    const dir = tempMigrations({ "001_a": "CREATE TABLE a (id int);" });
    await withSchema(async (url) => {
      await migrate(url, { dir });
      writeFileSync(path.join(dir, "001_a", "migration.sql"), "CREATE TABLE a (id bigint);");
      const err = await migrate(url, { dir }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(MigrationError);
      expect((err as MigrationError).code).toBe("MIGRATION_EDITED");
    });
  });

  it("applies the project's migrations from scratch", async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), "mig-"));
    cpSync(migrationsDir(), dir, { recursive: true });
    await withSchema(async (url) => {
      const r = await migrate(url, { dir });
      expect(r.applied.length).toBeGreaterThan(0);
    });
  });
});
