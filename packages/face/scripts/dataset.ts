import { readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import sharp from "sharp";
import { z } from "zod";

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../..");

/** ../shared/testdata/faces (SHARED_DIR overrides ../shared), as in @gradphoto/testkit. */
export function facesDir(): string {
  return path.join(process.env.SHARED_DIR ?? path.resolve(repoRoot, "..", "shared"), "testdata", "faces");
}

const ManifestSchema = z.object({
  files: z.array(
    z.object({
      path: z.string(),
      identity: z.string().nullable(),
      width: z.number(),
      height: z.number(),
      labels: z.object({ faces: z.number(), framing: z.string().nullable().optional(), frontal: z.boolean().nullable().optional() }).passthrough(),
    }).passthrough(),
  ),
});
export type FaceFile = z.infer<typeof ManifestSchema>["files"][number];

const PairsSchema = z.array(z.object({ a: z.string(), b: z.string(), same: z.boolean() }));
export type LabelledPair = z.infer<typeof PairsSchema>[number];

/** Identity images of the dev set (compliance/ excluded, as in pairs.json). */
export function loadIdentityFiles(dir = facesDir()): Array<FaceFile & { identity: string }> {
  const m = ManifestSchema.parse(JSON.parse(readFileSync(path.join(dir, "manifest.json"), "utf8")));
  return m.files.filter((f): f is FaceFile & { identity: string } => f.identity !== null && !f.path.startsWith("compliance/"));
}

export function loadPairs(dir = facesDir()): LabelledPair[] {
  return PairsSchema.parse(JSON.parse(readFileSync(path.join(dir, "pairs.json"), "utf8")));
}

/** The degraded admission photo: 150 px wide, grayscale, JPEG quality 40. */
export const DEGRADE = { width: 150, jpegQuality: 40 } as const;

export function degradeReference(buf: Buffer, opts: { width: number; jpegQuality: number } = DEGRADE): Promise<Buffer> {
  return sharp(buf).rotate().resize({ width: opts.width, withoutEnlargement: true }).grayscale().jpeg({ quality: opts.jpegQuality }).toBuffer();
}
