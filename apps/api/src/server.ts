import { ConfigError, loadConfig } from "@gradphoto/config";
import { buildApp } from "./app.js";
import { createRuntime } from "./runtime.js";
import { DatabaseUnreachableError, MigrationError } from "@gradphoto/db";
import { ModelCardError } from "@gradphoto/face";
import { useFaceModelCard } from "./services/face-service.js";

/** API process: config → runtime (db, storage, queue, workers) → HTTP; graceful shutdown on signals. */
export async function main(): Promise<void> {
  const config = loadConfig();
  useFaceModelCard(config.env.FACE_MODEL_CARD);
  const runtime = await createRuntime(config, { log: (m) => process.stderr.write(`${m}\n`) });
  const app = await buildApp(runtime.deps);
  let closing = false;
  const shutdown = async (signal: string) => {
    if (closing) return;
    closing = true;
    app.log.info({ signal }, "shutting down");
    // Stop taking requests, let in-flight ones and running jobs finish, then release the database.
    await app.close().catch(() => undefined);
    await runtime.close();
    process.exit(0);
  };
  process.on("SIGINT", () => void shutdown("SIGINT"));
  process.on("SIGTERM", () => void shutdown("SIGTERM"));
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

