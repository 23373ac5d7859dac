import { PrismaPg } from "@prisma/adapter-pg";
import { PrismaClient } from "./generated/client.js";
import { splitSchema } from "./migrate.js";

export type Db = PrismaClient;

/** Prisma client over node-postgres (driver adapter), one pool per process. */
export function createDb(connectionString: string, opts: { poolMax?: number } = {}): PrismaClient {
  const { url, schema } = splitSchema(connectionString);
  const adapter = new PrismaPg({ connectionString: url, max: opts.poolMax ?? 10 }, schema ? { schema } : undefined);
  // Generous transaction waits: on the embedded database every transaction takes its turn.
  return new PrismaClient({ adapter, transactionOptions: { maxWait: 15_000, timeout: 30_000 } });
}
