import path from "node:path";
import { fileURLToPath } from "node:url";

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../..");

/** `../shared` beside the repository (models, test photos, capture codes); SHARED_DIR overrides. */
export const sharedDir = (): string => process.env.SHARED_DIR ?? path.resolve(repoRoot, "..", "shared");
export const modelDir = (): string => process.env.MODEL_DIR ?? path.join(sharedDir(), "models");
export const testdataDir = (...parts: string[]): string => path.join(sharedDir(), "testdata", ...parts);
