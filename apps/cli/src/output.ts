import type { z } from "zod";

/**
 * With --json a command prints exactly one JSON value on stdout (validated by its zod schema);
 * everything else — progress, logs — goes to stderr.
 */
export function printJson(schema: z.ZodType, value: unknown): void {
  const parsed = schema.parse(value);
  process.stdout.write(`${JSON.stringify(parsed, null, 2)}\n`);
}

export const log = (msg: string): void => {
  process.stderr.write(`${msg}\n`);
};

export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "UsageError";
  }
}
