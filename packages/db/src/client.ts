import { PrismaPg } from "@prisma/adapter-pg";
import { PrismaClient } from "./generated/client.js";
import { splitSchema } from "./migrate.js";

export type Db = PrismaClient;

/** Prisma client over node-postgres (driver adapter), one pool per process. */
export function createDb(connectionString: string, opts: { poolMax?: number } = {}): PrismaClient {
  const { url, schema } = splitSchema(connectionString);
  const adapter = new PrismaPg({ connectionString: url, max: opts.poolMax ?? 10 }, schema ? { schema } : undefined);
  return new PrismaClient({ adapter });
}
