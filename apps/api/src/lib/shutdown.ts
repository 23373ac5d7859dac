/** Everything, from the signal to exit: within 10 s (a proxy's or orchestrator's kill deadline is often 10–30 s). */
export const SHUTDOWN_BUDGET_MS = 9_500;

export interface ShutdownLog {
  info(data: Record<string, unknown>, msg: string): void;
  error(data: Record<string, unknown>, msg: string): void;
}

/**
 * On the first SIGTERM/SIGINT runs `stop` (given the milliseconds left of the budget) and exits 0; if the
 * budget runs out first it exits 1 anyway. Shared by the API and the worker-only process.
 */
export function exitOnSignal(log: ShutdownLog, stop: (signal: string, remainingMs: () => number) => Promise<void>): void {
  let closing = false;
  const shutdown = async (signal: string) => {
    if (closing) return;
    closing = true;
    const t0 = Date.now();
    log.info({ signal }, "shutting down");
    setTimeout(() => {
      log.error({ ms: Date.now() - t0 }, "shutdown budget exceeded; exiting");
      process.exit(1);
    }, SHUTDOWN_BUDGET_MS).unref();
    await stop(signal, () => SHUTDOWN_BUDGET_MS - (Date.now() - t0)).catch((e: unknown) => log.error({ err: String(e) }, "shutdown step failed"));
    log.info({ ms: Date.now() - t0 }, "shutdown complete");
    process.exit(0);
  };
  process.on("SIGINT", () => void shutdown("SIGINT"));
  process.on("SIGTERM", () => void shutdown("SIGTERM"));
}
