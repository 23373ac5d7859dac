import type { z } from "zod";

/**
 * With --json a command prints exactly one JSON value on stdout (validated by its zod schema);
 * everything else — progress, logs — goes to stderr.
 */
export function printJson(schema: z.ZodType, value: unknown): void {
  const parsed = schema.parse(value);
  process.stdout.write(`${JSON.stringify(parsed, null, 2)}\n`);
}

/** Progress and diagnostics (stderr), never results. */
export const log = (msg: string): void => {
  process.stderr.write(`${msg}\n`);
};

/** Human-readable results of a command without --json (stdout, so they can be piped). */
export const say = (msg: string): void => {
  process.stdout.write(`${msg}\n`);
};

/** After a plain or JSON result: says on stderr how many inputs could not be processed (exit 1). */
export function reportUnprocessed(failed: number, total: number): void {
  if (failed > 0) log(`gradphoto: ${failed} of ${total} input${total === 1 ? "" : "s"} could not be processed`);
}

export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "UsageError";
  }
}
