import { constants } from "node:fs";
import { access, stat } from "node:fs/promises";

/** A per-file error as every command reports it (`--json` and plain). */
export interface FileError {
  code: string;
  message: string;
}

/**
 * One code per cause, whichever command reads the file: the domain packages each name a missing file
 * differently (photo FILE_NOT_FOUND, face INVALID_IMAGE, capture-code FILE_NOT_READABLE), so the CLI
 * decides from the file itself. `null` when the file is there and readable (any error is then about
 * its content, e.g. INVALID_IMAGE for bytes that are not an image).
 */
export async function fileProblem(abs: string, shown: string): Promise<FileError | null> {
  try {
    const st = await stat(abs);
    if (!st.isFile()) return { code: "FILE_NOT_READABLE", message: `无法读取文件：${shown}（不是普通文件）` };
    await access(abs, constants.R_OK);
    return null;
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === "ENOENT" || code === "ENOTDIR") return { code: "FILE_NOT_FOUND", message: `找不到文件：${shown}` };
    return { code: "FILE_NOT_READABLE", message: `无法读取文件：${shown}（${code ?? String(e)}）` };
  }
}

/** Replaces a package's file-level error with the CLI's code for that cause; other errors pass through. */
export async function normaliseError<E extends FileError>(error: E | undefined, files: Array<{ abs: string; shown: string }>): Promise<E | FileError | undefined> {
  if (!error) return undefined;
  for (const f of files) {
    const p = await fileProblem(f.abs, f.shown);
    if (p) return p;
  }
  return error;
}

/**
 * Errors that mean an input could not be processed at all (exit 1), as opposed to a verdict about a
 * photo that was read (no face, several faces, no QR code found …: exit 0, the result says it).
 */
const NOT_PROCESSED = new Set([
  "FILE_NOT_FOUND",
  "FILE_NOT_READABLE",
  "INVALID_IMAGE",
  "UNSUPPORTED_FORMAT",
  "IMAGE_TOO_LARGE",
  "MODEL_UNAVAILABLE",
  "CALIBRATION_INVALID",
  "INTERNAL",
  "PROVIDER_UNAVAILABLE",
  "PROVIDER_BAD_RESPONSE",
  "PROVIDER_CONFIG_INVALID",
]);

export const notProcessed = (error: { code: string } | undefined): boolean => !!error && NOT_PROCESSED.has(error.code);

/** Exit status of a per-file command: 1 when any input could not be processed. */
export function exitStatus(errors: Array<{ code: string } | undefined>): number {
  return errors.some(notProcessed) ? 1 : 0;
}
