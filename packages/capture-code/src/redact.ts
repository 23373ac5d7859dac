import { createHash } from "node:crypto";

/** SHA-256 of the raw QR text (hex), as stored beside it in `capture_codes.raw_sha256`. */
export function sha256Hex(raw: string): string {
  return createHash("sha256").update(raw, "utf8").digest("hex");
}

/**
 * A log-safe stand-in for a raw QR text: at most 4 leading and 4 trailing characters, the length
 * and a short hash, e.g. `GPD1…Xk2Q (len 212, sha256 3f9a0c1d)`. Never log the raw text itself.
 */
export function redactRaw(raw: string): string {
  const chars = [...raw];
  const hash = sha256Hex(raw).slice(0, 8);
  const show = chars.length >= 24 ? 4 : chars.length >= 12 ? 2 : 0;
  const head = chars.slice(0, show).join("");
  const tail = show ? chars.slice(-show).join("") : "";
  return `${head}…${tail} (len ${chars.length}, sha256 ${hash})`;
}

/** Replace every occurrence of `raw` (and long pieces of it) in a message before logging it. */
export function scrubRaw(message: string, raw: string): string {
  if (!raw) return message;
  let out = message.split(raw).join(redactRaw(raw));
  // Also catch fragments of 16+ characters (e.g. a truncated echo in an upstream error).
  if (raw.length >= 16) {
    for (let i = 0; i + 16 <= raw.length; i += 8) {
      const piece = raw.slice(i, i + 16);
      if (out.includes(piece)) out = out.split(piece).join("[redacted]");
    }
  }
  return out;
}

/** Minimal structured logger (pino-compatible: `logger.warn({ ... }, "msg")`). */
export interface Logger {
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
}

export const silentLogger: Logger = { info: () => {}, warn: () => {} };
