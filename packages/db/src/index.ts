export { createDb, type Db } from "./client.js";
export { migrate, readMigrations, MigrationError, type MigrateResult, type MigrationFile } from "./migrate.js";
export { startEmbeddedDatabase, type EmbeddedDatabase } from "./embedded.js";
export { repoRoot, migrationsDir, schemaPath } from "./paths.js";
export * from "./generated/client.js";
export { resolveDatabase, assertReachable, redactUrl, defaultDataDir, DatabaseUnreachableError, type ResolvedDatabase } from "./resolve.js";
export { expectedSchema, actualSchema, diffSchemas, type ExpectedSchema } from "./schema-check.js";
