import { createHash } from "node:crypto";
import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import * as ort from "onnxruntime-node";
import { z } from "zod";
import { flushDenormalWeights } from "./onnx-denormals.js";
import { setInputSize } from "./onnx-input-size.js";

const here = path.dirname(fileURLToPath(import.meta.url));

const ManifestSchema = z.object({
  version: z.number().int(),
  models: z.record(
    z.string(),
    z.object({ file: z.string(), sha256: z.string().regex(/^[0-9a-f]{64}$/), bytes: z.number().int(), license: z.string(), url: z.string() }),
  ),
});
export type ModelManifest = z.infer<typeof ManifestSchema>;
export type ModelId = keyof ModelManifest["models"] & string;

export const modelManifest: ModelManifest = ManifestSchema.parse(JSON.parse(readFileSync(path.join(here, "models.manifest.json"), "utf8")));

/** Thrown when a model is missing or its bytes differ from the manifest. */
export class ModelError extends Error {
  constructor(
    readonly code: "MODEL_MISSING" | "MODEL_CHECKSUM" | "MODEL_UNKNOWN",
    message: string,
  ) {
    super(message);
    this.name = "ModelError";
  }
}

/** MODEL_DIR, or ../shared/models beside the repository in development. */
export function modelDir(): string {
  return process.env.MODEL_DIR ? path.resolve(process.env.MODEL_DIR) : path.resolve(here, "../../../../shared/models");
}

export interface ModelStatus {
  id: string;
  file: string;
  present: boolean;
  sha256Ok: boolean;
  actualSha256?: string;
}

/** Checks every manifest model on disk (used by `gradphoto doctor`). */
export function verifyModels(dir = modelDir()): ModelStatus[] {
  return Object.entries(modelManifest.models).map(([id, m]) => {
    const p = path.join(dir, m.file);
    if (!existsSync(p)) return { id, file: m.file, present: false, sha256Ok: false };
    const actual = createHash("sha256").update(readFileSync(p)).digest("hex");
    return { id, file: m.file, present: true, sha256Ok: actual === m.sha256, actualSha256: actual };
  });
}

const sessions = new Map<string, Promise<ort.InferenceSession>>();

/**
 * One ONNX session per model per process, created on first use after checking the sha256.
 * Sessions run single-threaded inside an op: the API parallelises across requests instead.
 */
export function loadModel(id: string, dir = modelDir(), variant: ModelVariant = {}): Promise<ort.InferenceSession> {
  const key = `${dir}::${id}::${variant.inputSize?.join("x") ?? ""}`;
  let s = sessions.get(key);
  if (!s) {
    s = createSession(id, dir, variant);
    sessions.set(key, s);
    s.catch(() => sessions.delete(key));
  }
  return s;
}

/** A session of a model with its input resized (fully convolutional models only, see onnx-input-size.ts). */
export interface ModelVariant {
  inputSize?: [height: number, width: number];
}

async function createSession(id: string, dir: string, variant: ModelVariant): Promise<ort.InferenceSession> {
  const m = modelManifest.models[id];
  if (!m) throw new ModelError("MODEL_UNKNOWN", `unknown model "${id}"`);
  const p = path.join(dir, m.file);
  if (!existsSync(p)) {
    throw new ModelError("MODEL_MISSING", `model ${m.file} not found in ${dir}; set MODEL_DIR or download it from ${m.url} (sha256 ${m.sha256})`);
  }
  const bytes = readFileSync(p);
  const actual = createHash("sha256").update(bytes).digest("hex");
  if (actual !== m.sha256) {
    throw new ModelError("MODEL_CHECKSUM", `model ${m.file} has sha256 ${actual}, expected ${m.sha256}; re-download it from ${m.url}`);
  }
  if (variant.inputSize) setInputSize(bytes, ...variant.inputSize);
  return createOrtSession(bytes);
}

/**
 * An ONNX Runtime session with the project's settings: single-threaded ops (the API parallelises
 * across requests; ORT_THREADS overrides), full graph optimisation, and subnormal floats flushed to
 * zero — in the weights (see onnx-denormals.ts) and in activations (`set_denormal_as_zero`): on
 * x86 each subnormal multiply takes a microcode path, which made the face embedding 7× slower.
 * `bytes` is modified in place; verify its checksum before calling this.
 */
export function createOrtSession(bytes: Uint8Array): Promise<ort.InferenceSession> {
  flushDenormalWeights(bytes);
  return ort.InferenceSession.create(bytes, {
    intraOpNumThreads: Number(process.env.ORT_THREADS ?? 1),
    interOpNumThreads: 1,
    graphOptimizationLevel: "all",
    logSeverityLevel: 3,
    extra: { session: { set_denormal_as_zero: "1" } },
  });
}

export { ort };
