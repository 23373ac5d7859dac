import { ConfigError, loadConfig } from "@gradphoto/config";
import { buildApp } from "./app.js";
import { createRuntime } from "./runtime.js";
import { DatabaseUnreachableError, MigrationError } from "@gradphoto/db";
import { ModelCardError } from "@gradphoto/face";
import { useFaceModelCard } from "./services/face-service.js";
import { exitOnSignal } from "./lib/shutdown.js";

/** How long in-flight requests may take to finish before their connections are cut. */
const HTTP_DRAIN_MS = 7_000;

/** API process: config → runtime (db, storage, queue, workers) → HTTP; graceful shutdown on signals. */
export async function main(): Promise<void> {
  const config = loadConfig();
  useFaceModelCard(config.env.FACE_MODEL_CARD);
  const runtime = await createRuntime(config, { log: (m) => process.stderr.write(`${m}\n`) });
  const app = await buildApp(runtime.deps);
  exitOnSignal(app.log, async (_signal, remainingMs) => {
    // Stop accepting; idle keep-alive sockets close now, and every answer from here on says
    // `Connection: close` (plugins/connection.ts). In-flight requests get HTTP_DRAIN_MS to finish.
    const cut = setTimeout(() => app.server.closeAllConnections(), HTTP_DRAIN_MS);
    await app.close().catch(() => undefined);
    clearTimeout(cut);
    // Running jobs finish (or are handed back to the queue), then the pools close.
    await runtime.close({ timeoutMs: Math.max(1_000, remainingMs() - 1_500) });
  });
  await app.listen({ host: config.env.HOST, port: config.env.PORT });
  app.log.info({ database: runtime.database.kind, storage: config.storage.driver }, `API ready at ${config.publicBaseUrl} (docs: ${config.publicBaseUrl}/docs)`);
}

/** One line for the operator instead of a stack trace. */
export function fatal(e: unknown): never {
  if (e instanceof ConfigError || e instanceof DatabaseUnreachableError || e instanceof MigrationError || e instanceof ModelCardError) {
    process.stderr.write(`gradphoto: ${e.message}\n`);
  } else {
    process.stderr.write(`gradphoto: failed to start: ${(e as Error)?.stack ?? String(e)}\n`);
  }
  process.exit(1);
}

