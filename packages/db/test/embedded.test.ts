import pg from "pg";
import { describe, expect, inject, it } from "vitest";
import { startEmbeddedDatabase } from "@gradphoto/db";
import { testDatabaseUrl } from "@gradphoto/testkit";

// In the embedded run the run's own database is this server; otherwise start one for the test.
async function embeddedUrl(): Promise<{ url: string; stop(): Promise<void> }> {
  if (inject("databaseKind") === "pglite") return { url: testDatabaseUrl(), stop: async () => undefined };
  return startEmbeddedDatabase({ dataDir: "memory://" });
}

describe("embedded PGlite server", () => {
  it("keeps concurrent clients' extended-protocol queries and transactions apart", async () => {
    const e = await embeddedUrl();
    try {
      const pool = new pg.Pool({ connectionString: e.url, max: 8 });
      // Its own schema, dropped at the end: the run's public schema is compared with schema.prisma elsewhere.
      const ns = `emb_${Math.random().toString(36).slice(2, 8)}`;
      const t = `${ns}.t`;
      await pool.query(`CREATE SCHEMA ${ns}`);
      await pool.query(`CREATE TABLE ${t} (id int PRIMARY KEY, v text)`);
      // 200 parameterised queries from 8 connections at once: each must see its own parameters.
      const results = await Promise.all(
        Array.from({ length: 200 }, async (_, i) => {
          const r = await pool.query<{ a: number; b: string }>("SELECT $1::int AS a, $2::text AS b", [i, `v${i}`]);
          return r.rows[0]!.a === i && r.rows[0]!.b === `v${i}`;
        }),
      );
      expect(results.every(Boolean)).toBe(true);
      // Interleaved transactions: one rolls back, one commits; neither sees the other's rows mid-way.
      const [c1, c2] = [await pool.connect(), await pool.connect()];
      await c1.query("BEGIN");
      await c1.query(`INSERT INTO ${t} VALUES ($1, $2)`, [1, "rolled back"]);
      const other = c2.query(`INSERT INTO ${t} VALUES ($1, $2)`, [2, "committed"]); // waits for c1's transaction
      await c1.query("ROLLBACK");
      await other;
      const rows = await pool.query(`SELECT id FROM ${t} ORDER BY id`);
      expect(rows.rows).toEqual([{ id: 2 }]);
      c1.release();
      // A client that disconnects mid-transaction is rolled back and does not block others.
      const dying = new pg.Client({ connectionString: e.url });
      await dying.connect();
      await dying.query("BEGIN");
      await dying.query(`INSERT INTO ${t} VALUES (3, 'lost')`);
      await dying.end();
      expect((await c2.query(`SELECT count(*)::int AS n FROM ${t}`)).rows[0].n).toBe(1);
      c2.release();
      await pool.query(`DROP SCHEMA ${ns} CASCADE`);
      await pool.end();
    } finally {
      await e.stop();
    }
  });
});
