import { existsSync, readFileSync, rmSync, writeFileSync, mkdirSync } from "node:fs";
import path from "node:path";
import pg from "pg";
import { startEmbeddedDatabase, type EmbeddedDatabase } from "./embedded.js";
import { repoRoot } from "./paths.js";

export interface ResolvedDatabase {
  url: string;
  kind: "postgres" | "embedded";
  /** set when this process owns the embedded server */
  embedded?: EmbeddedDatabase;
  close(): Promise<void>;
}

export class DatabaseUnreachableError extends Error {
  constructor(readonly url: string, cause: string) {
    super(`cannot reach the database at ${redactUrl(url)}: ${cause}`);
    this.name = "DatabaseUnreachableError";
  }
}

/** Default folder for the embedded database and local objects. */
export const defaultDataDir = (): string => path.resolve(process.env.DATA_DIR ?? path.join(repoRoot(), ".data"));

/**
 * DATABASE_URL when set; otherwise the embedded PGlite in `<dataDir>/pglite`. A second process
 * (CLI, doctor) reuses the embedded server another process already runs, found via a pid file,
 * because PGlite's files must only be opened by one process.
 */
export async function resolveDatabase(opts: { databaseUrl?: string; dataDir?: string; port?: number } = {}): Promise<ResolvedDatabase> {
  const explicit = opts.databaseUrl ?? process.env.DATABASE_URL;
  if (explicit) {
    await assertReachable(explicit);
    return { url: explicit, kind: "postgres", close: async () => undefined };
  }
  const dataDir = opts.dataDir ?? defaultDataDir();
  const infoFile = path.join(dataDir, "pglite.json");
  const running = readRunning(infoFile);
  if (running && (await reachable(running.url))) return { url: running.url, kind: "embedded", close: async () => undefined };
  mkdirSync(dataDir, { recursive: true });
  const embedded = await startEmbeddedDatabase({ dataDir: path.join(dataDir, "pglite"), port: opts.port });
  writeFileSync(infoFile, JSON.stringify({ pid: process.pid, url: embedded.url }));
  return {
    url: embedded.url,
    kind: "embedded",
    embedded,
    async close() {
      await embedded.stop();
      rmSync(infoFile, { force: true });
    },
  };
}

function readRunning(file: string): { pid: number; url: string } | null {
  if (!existsSync(file)) return null;
  try {
    const info = JSON.parse(readFileSync(file, "utf8")) as { pid: number; url: string };
    process.kill(info.pid, 0); // throws when that process is gone
    return info;
  } catch {
    return null;
  }
}

async function reachable(url: string): Promise<boolean> {
  try {
    await assertReachable(url);
    return true;
  } catch {
    return false;
  }
}

export async function assertReachable(url: string, timeoutMs = 5000): Promise<void> {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new DatabaseUnreachableError(url, "DATABASE_URL is not a valid URL");
  }
  if (!/^postgres(ql)?:$/.test(parsed.protocol)) throw new DatabaseUnreachableError(url, "DATABASE_URL must start with postgresql://");
  parsed.searchParams.delete("schema");
  const c = new pg.Client({ connectionString: parsed.toString(), connectionTimeoutMillis: timeoutMs });
  try {
    await c.connect();
    await c.query("SELECT 1");
  } catch (e) {
    throw new DatabaseUnreachableError(url, (e as Error).message || String(e));
  } finally {
    await c.end().catch(() => undefined);
  }
}

/** postgresql://user:secret@host/db → postgresql://user:***@host/db */
export function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = "***";
    return u.toString();
  } catch {
    return "(invalid URL)";
  }
}
