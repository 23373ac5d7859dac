import { readFile } from "node:fs/promises";
import { CaptureCodeError, isCaptureCodeError, type CaptureCodeErrorCode } from "./errors.js";
import { decodeQrImage, type DecodeQrOptions } from "./decode/index.js";
import type { CaptureCodeFields, CaptureCodeProvider } from "./providers/types.js";

export interface DecodeCodeResult {
  file: string;
  /** The QR text, or null when no code could be read. */
  text: string | null;
  /** Present when a provider is configured and decoded the text. */
  fields?: CaptureCodeFields;
  error?: { code: CaptureCodeErrorCode; message: string };
  /** Reading details (only with `details: true`). */
  strategy?: string;
  ms?: number;
}

export interface RunDecodeCodeOptions {
  /** Turns texts into fields; without it only texts are returned. */
  provider?: CaptureCodeProvider;
  /** School code hint passed to the provider. */
  schoolCode?: string;
  decode?: DecodeQrOptions;
  /** Add the successful strategy and the time per image. */
  details?: boolean;
}

/**
 * `gradphoto decode-code <image>... --json`: read the QR text of each image (in input order),
 * and its fields when a provider is given. Failures are reported per file, never thrown.
 */
export async function runDecodeCode(files: string[], opts: RunDecodeCodeOptions = {}): Promise<DecodeCodeResult[]> {
  const out: DecodeCodeResult[] = [];
  for (const file of files) {
    const t0 = performance.now();
    const result: DecodeCodeResult = { file, text: null };
    try {
      let bytes: Buffer;
      try {
        bytes = await readFile(file);
      } catch (e) {
        throw new CaptureCodeError("FILE_NOT_READABLE", (e as NodeJS.ErrnoException).code ?? String(e));
      }
      const r = await decodeQrImage(bytes, opts.decode);
      result.text = r.text;
      if (opts.details) result.strategy = r.strategy;
      if (opts.provider) {
        result.fields = await opts.provider.decode(r.text, opts.schoolCode ? { schoolCode: opts.schoolCode } : {});
      }
    } catch (e) {
      if (!isCaptureCodeError(e)) throw e;
      result.error = { code: e.code, message: e.message };
    }
    if (opts.details) result.ms = Math.round(performance.now() - t0);
    out.push(result);
  }
  return out;
}
