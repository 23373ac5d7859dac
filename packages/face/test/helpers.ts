import { readFileSync } from "node:fs";
import path from "node:path";
import { testdataDir } from "@gradphoto/testkit";

export const facesDir = testdataDir("faces");

export interface ManifestFile {
  path: string;
  identity: string | null;
  labels: { faces: number; framing: string | null; color?: string };
}

export const manifest = JSON.parse(readFileSync(path.join(facesDir, "manifest.json"), "utf8")) as { files: ManifestFile[] };
export const devPairs = JSON.parse(readFileSync(path.join(facesDir, "pairs.json"), "utf8")) as Array<{ a: string; b: string; same: boolean }>;

export const face = (p: string): Buffer => readFileSync(path.join(facesDir, p));

/** Identity images (compliance/ excluded), in manifest order. */
export const identityFiles = manifest.files.filter((f) => f.identity !== null && !f.path.startsWith("compliance/"));
