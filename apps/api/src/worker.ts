import { loadConfig } from "@gradphoto/config";
import { createRuntime } from "./runtime.js";
import { fatal } from "./server.js";

/** Worker-only process for scale-out: same queue, no HTTP. Needs a shared PostgreSQL (DATABASE_URL). */
async function worker(): Promise<void> {
  const config = loadConfig();
  const runtime = await createRuntime(config, { workers: true, log: (m) => process.stderr.write(`${m}\n`) });
  process.stderr.write(`worker ready (database: ${runtime.database.kind})\n`);
  const stop = async () => {
    await runtime.close();
    process.exit(0);
  };
  process.on("SIGINT", () => void stop());
  process.on("SIGTERM", () => void stop());
}

worker().catch(fatal);
