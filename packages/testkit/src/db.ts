import { randomBytes } from "node:crypto";
import { inject, afterAll } from "vitest";
import { createDb, type Db } from "@gradphoto/db";
import "./provided.js";

/** URL of the run's migrated database (see global-setup.ts). */
export function testDatabaseUrl(): string {
  return inject("databaseUrl");
}

/** A Prisma client on the run's database, disconnected after the file's tests. */
export function testDb(): Db {
  const db = createDb(testDatabaseUrl(), { poolMax: 4 });
  afterAll(async () => {
    await db.$disconnect();
  });
  return db;
}

/** Short random suffix so test rows never collide with other files' rows. */
export function uniqueSuffix(): string {
  return randomBytes(4).toString("hex");
}
