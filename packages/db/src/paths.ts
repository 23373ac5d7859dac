import path from "node:path";
import { fileURLToPath } from "node:url";

/** Repository root (packages/db/src → ../../..). */
export const repoRoot = (): string => path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../..");
export const migrationsDir = (): string => path.join(repoRoot(), "prisma", "migrations");
export const schemaPath = (): string => path.join(repoRoot(), "prisma", "schema.prisma");
