import pg from "pg";
import { describe, expect, it } from "vitest";
import { actualSchema, diffSchemas, expectedSchema, migrate } from "@gradphoto/db";
import { testDatabaseUrl, uniqueSuffix } from "@gradphoto/testkit";

describe("migrations match schema.prisma", () => {
  it("the migrated database has exactly the tables, columns, types, nullability, enums, indexes and foreign keys of schema.prisma", async () => {
    const expected = expectedSchema();
    expect(expected.tables.size).toBeGreaterThan(20);
    const diff = diffSchemas(expected, await actualSchema(testDatabaseUrl(), "public"));
    expect(diff).toEqual([]);
  });

  it("notices a drifted column, a dropped index and a dropped foreign key", async () => {
    const schema = `drift_${uniqueSuffix()}`;
    const admin = new pg.Client({ connectionString: testDatabaseUrl() });
    await admin.connect();
    await admin.query(`CREATE SCHEMA "${schema}"`);
    try {
      const url = new URL(testDatabaseUrl());
      url.searchParams.set("schema", schema);
      await migrate(url.toString());
      await admin.query(`ALTER TABLE "${schema}"."photos" ALTER COLUMN "original_key" DROP NOT NULL`);
      await admin.query(`DROP INDEX "${schema}"."orders_status_created_at_idx"`);
      await admin.query(`ALTER TABLE "${schema}"."refunds" DROP CONSTRAINT "refunds_order_id_fkey"`);
      const diff = diffSchemas(expectedSchema(), await actualSchema(testDatabaseUrl(), schema));
      expect(diff).toEqual(
        expect.arrayContaining([
          "column photos.original_key: nullable, schema.prisma says NOT NULL",
          "missing orders(status,created_at) index",
          expect.stringMatching(/^missing foreign key refunds\(order_id\) -> orders\(id\)/),
        ]),
      );
      expect(diff).toHaveLength(3);
    } finally {
      await admin.query(`DROP SCHEMA "${schema}" CASCADE`);
      await admin.end();
    }
  });
});
