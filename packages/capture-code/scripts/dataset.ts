import { readFile } from "node:fs/promises";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { z } from "zod";

/** `../shared/testdata/capture-codes` beside the repository (SHARED_DIR overrides). */
export function captureCodesDir(): string {
  const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../..");
  const shared = process.env.SHARED_DIR ?? path.resolve(repoRoot, "..", "shared");
  return path.join(shared, "testdata", "capture-codes");
}

const Manifest = z.array(
  z.object({
    file: z.string().min(1),
    text: z.string().nullable(),
    kind: z.string(),
  }),
);
export type ManifestEntry = z.infer<typeof Manifest>[number];

/** The dev set's manifest (expected text per image; `params` are deliberately not read). */
export async function readManifest(dir = captureCodesDir()): Promise<ManifestEntry[]> {
  return Manifest.parse(JSON.parse(await readFile(path.join(dir, "manifest.json"), "utf8")));
}

export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return NaN;
  const i = Math.min(sorted.length - 1, Math.max(0, Math.ceil(p * sorted.length) - 1));
  return sorted[i]!;
}
