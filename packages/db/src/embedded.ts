import { mkdirSync } from "node:fs";
import path from "node:path";
import { PGlite } from "@electric-sql/pglite";
import { PGLiteSocketServer } from "@electric-sql/pglite-socket";

export interface EmbeddedDatabase {
  url: string;
  dataDir: string;
  stop(): Promise<void>;
}

/**
 * PGlite (PostgreSQL compiled to WASM) served on a loopback TCP port, so Prisma's pg adapter
 * and pg-boss reach it through the same driver path as a real server.
 * `dataDir` "memory://" keeps it in memory (tests).
 */
export async function startEmbeddedDatabase(opts: { dataDir: string; port?: number; maxConnections?: number }): Promise<EmbeddedDatabase> {
  if (opts.dataDir !== "memory://") mkdirSync(path.dirname(path.resolve(opts.dataDir)), { recursive: true });
  const db = await PGlite.create(opts.dataDir === "memory://" ? undefined : path.resolve(opts.dataDir));
  const server = new PGLiteSocketServer({
    db,
    host: "127.0.0.1",
    port: opts.port ?? 0,
    maxConnections: opts.maxConnections ?? 64,
  });
  await server.start();
  const port = boundPort(server);
  return {
    url: `postgresql://postgres@127.0.0.1:${port}/postgres?sslmode=disable`,
    dataDir: opts.dataDir,
    async stop() {
      await server.stop();
      await db.close();
    },
  };
}

function boundPort(server: PGLiteSocketServer): number {
  // The server listens on port 0 → ask the underlying net.Server which port it got.
  const inner = (server as unknown as { server?: { address(): { port: number } | string | null } }).server;
  const addr = inner?.address();
  if (addr && typeof addr === "object") return addr.port;
  throw new Error("embedded database did not report its port");
}
