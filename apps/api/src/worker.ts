import { loadConfig } from "@gradphoto/config";
import { exitOnSignal } from "./lib/shutdown.js";
import { createRuntime } from "./runtime.js";
import { fatal } from "./server.js";

/** Worker-only process for scale-out: same queue, no HTTP. Needs a shared PostgreSQL (DATABASE_URL). */
async function worker(): Promise<void> {
  const config = loadConfig();
  const log = (data: Record<string, unknown>, msg: string) => process.stderr.write(`worker: ${msg} ${JSON.stringify(data)}\n`);
  // Registered before the runtime starts: its workers take jobs before createRuntime returns, and a signal
  // then must not kill the process with a job in hand. Same budget as the API: stop taking jobs, let running
  // handlers finish or hand them back, close the pools.
  const starting = createRuntime(config, { workers: true, log: (m) => process.stderr.write(`${m}\n`) });
  exitOnSignal({ info: log, error: log }, async (_signal, remainingMs) => {
    const runtime = await starting;
    await runtime.close({ timeoutMs: Math.max(1_000, remainingMs() - 1_500) });
  });
  const runtime = await starting;
  process.stderr.write(`worker ready (database: ${runtime.database.kind})\n`);
}

worker().catch(fatal);
