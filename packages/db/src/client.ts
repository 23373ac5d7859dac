import { PrismaPg } from "@prisma/adapter-pg";
import { PrismaClient } from "./generated/client.js";
import { splitSchema } from "./migrate.js";

export type Db = PrismaClient;

/** Prisma client over node-postgres (driver adapter), one pool per process. */
export function createDb(connectionString: string, opts: { poolMax?: number } = {}): PrismaClient {
  const { url, schema } = splitSchema(connectionString);
  // A database that does not answer fails a request in 5 s (503) instead of holding it open.
  const adapter = new PrismaPg({ connectionString: url, max: opts.poolMax ?? 10, connectionTimeoutMillis: 5_000 }, schema ? { schema } : undefined);
  // Generous transaction waits: on the embedded database every transaction takes its turn.
  return new PrismaClient({ adapter, transactionOptions: { maxWait: 15_000, timeout: 30_000 } });
}
