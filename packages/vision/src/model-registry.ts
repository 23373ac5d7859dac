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
 * One ONNX session per model (and variant) per process, created on first use after checking the
 * sha256. Sessions run single-threaded inside an op: the API parallelises across requests instead.
 */
export function loadModel(id: string, dir = modelDir(), variant: ModelVariant = {}): Promise<ort.InferenceSession> {
  const key = `${dir}::${id}::${variant.inputSize?.join("x") ?? ""}::${variant.patch?.key ?? ""}`;
  let s = sessions.get(key);
  if (!s) {
    s = readModelBytes(id, dir, variant).then(createOrtSession);
    sessions.set(key, s);
    s.catch(() => sessions.delete(key));
  }
  return s;
}

/** A model edited at load: its input resized (fully convolutional models, see onnx-input-size.ts) or patched. */
export interface ModelVariant {
  inputSize?: [height: number, width: number];
  /** an in-place edit of the verified bytes; `key` names it in the session cache */
  patch?: { key: string; apply(bytes: Uint8Array): void };
}

/**
 * The model's bytes from MODEL_DIR, checked against the manifest's sha256, with the variant's edits
 * applied and subnormal weights flushed (ready for a session here or on a worker thread).
 */
export async function readModelBytes(id: string, dir = modelDir(), variant: ModelVariant = {}): Promise<Uint8Array> {
  const m = modelManifest.models[id];
  if (!m) throw new ModelError("MODEL_UNKNOWN", `unknown model "${id}"`);
  const p = path.join(dir, m.file);
  if (!existsSync(p)) {
    throw new ModelError("MODEL_MISSING", `model ${m.file} not found in ${dir}; set MODEL_DIR or download it from ${m.url} (sha256 ${m.sha256})`);
  }
  const bytes = new Uint8Array(readFileSync(p));
  const actual = createHash("sha256").update(bytes).digest("hex");
  if (actual !== m.sha256) {
    throw new ModelError("MODEL_CHECKSUM", `model ${m.file} has sha256 ${actual}, expected ${m.sha256}; re-download it from ${m.url}`);
  }
  if (variant.inputSize) setInputSize(bytes, ...variant.inputSize);
  variant.patch?.apply(bytes);
  flushDenormalWeights(bytes);
  return bytes;
}

/**
 * The project's session settings: single-threaded ops (the API parallelises across requests;
 * ORT_THREADS overrides), full graph optimisation, and subnormal activations flushed to zero
 * (`set_denormal_as_zero`; subnormal weights are flushed in the bytes, see onnx-denormals.ts): on x86
 * each subnormal multiply takes a microcode path, which made the face embedding 7× slower.
 * `disable_quant_qdq` lets constant folding dequantise the block-int8 weights of the OpenCV Zoo
 * models (PP-HumanSeg, expression) once at load; otherwise every run dequantises them again
 * (PP-HumanSeg 37 → 24 ms, expression 20 → 10 ms under load; same outputs to 1e-6).
 * No CPU memory arena: each session's arena grows to its peak in power-of-two chunks and never gives
 * memory back; the tensors of a run are planned in one block either way (memory pattern), so without
 * the arena peak RSS over 100 photos fell from ≈ 390 to ≈ 360 MB at no measurable cost in speed.
 * Plain data, so worker threads can create their sessions with the same options.
 */
export function ortSessionOptions(): ort.InferenceSession.SessionOptions {
  return {
    intraOpNumThreads: Number(process.env.ORT_THREADS ?? 1),
    interOpNumThreads: 1,
    graphOptimizationLevel: "all",
    enableCpuMemArena: false,
    logSeverityLevel: 3,
    extra: { session: { set_denormal_as_zero: "1", disable_quant_qdq: "1" } },
  };
}

/** A session with the project's settings; `bytes` (already checksum-verified) is edited in place. */
export function createOrtSession(bytes: Uint8Array): Promise<ort.InferenceSession> {
  flushDenormalWeights(bytes);
  return ort.InferenceSession.create(bytes, ortSessionOptions());
}

export { ort };
