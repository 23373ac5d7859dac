import { readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { z } from "zod";
import type { Calibration } from "./calibration.js";
import { configFromCard, isModelCard, readModelCard, type ModelCard } from "./model-card.js";

/** packages/face (model configs and calibration paths are resolved against it by default). */
export const packageDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");

const Triple = z.tuple([z.number(), z.number(), z.number()]);

/**
 * An embedding model as configuration: which ONNX file, how to feed it, what comes out and which
 * calibration maps its cosine similarity to the 0–100 score. Another model can be dropped in by
 * writing another of these (plus its calibration, produced by `pnpm eval:face --model <config>`).
 */
export const FaceModelConfigSchema = z.object({
  /** stable id recorded with every comparison, e.g. "faceplugin-mfn-512" */
  id: z.string().regex(/^[a-z0-9][a-z0-9._-]*$/),
  description: z.string().optional(),
  /** either an entry of packages/vision's model manifest, or a file in MODEL_DIR with its sha256 */
  model: z.union([
    z.object({ registryId: z.string() }).strict(),
    z.object({ file: z.string(), sha256: z.string().regex(/^[0-9a-f]{64}$/) }).strict(),
  ]),
  input: z
    .object({
      name: z.string().default("input"),
      /** square aligned crop side; the 112×112 ArcFace template is scaled to it */
      size: z.number().int().min(32).max(512),
      channelOrder: z.enum(["RGB", "BGR"]),
      /** value = (pixel − mean) / std, per channel in the model's channel order */
      mean: Triple,
      std: Triple,
      /** tensor layout: [1,3,S,S] (NCHW) or [1,S,S,3] (NHWC); the same pixels either way */
      layout: z.enum(["NCHW", "NHWC"]).default("NCHW"),
    })
    .strict(),
  output: z.object({ name: z.string().default("output"), dim: z.number().int().positive() }).strict(),
  /** average the embedding with that of the horizontally flipped crop */
  flipAverage: z.boolean().default(true),
  /**
   * template scales embedded and averaged (test-time augmentation); 1 = the ArcFace template,
   * < 1 shows more of the head. The calibration is only valid for the procedure it was made with.
   */
  cropScales: z.array(z.number().min(0.5).max(1.5)).min(1).default([1]),
  /** calibration JSON, relative to the config file (or to packages/face for inline configs) */
  calibration: z.string(),
});
export type FaceModelConfig = z.infer<typeof FaceModelConfigSchema>;
export type FaceModelConfigInput = z.input<typeof FaceModelConfigSchema>;

/** The bundled model's card (FACE_MODEL_CARD overrides it in the API and the CLI). */
export const DEFAULT_MODEL_CONFIG_PATH = path.join(packageDir, "models", "faceplugin-mfn-512.card.json");

export interface LoadedModelConfig {
  config: FaceModelConfig;
  /** absolute path of the calibration file (for a model card: the card itself) */
  calibrationPath: string;
  /** model card only: its calibration (null when the card has none yet) */
  calibration?: Calibration | null;
  /** model card only: the card */
  card?: ModelCard;
}

/**
 * Reads and validates a model card (the calibration inside it) or an older model config (its
 * calibration file resolved next to it).
 */
export function loadModelConfig(file = DEFAULT_MODEL_CONFIG_PATH): LoadedModelConfig {
  const json: unknown = JSON.parse(readFileSync(file, "utf8"));
  if (isModelCard(json)) {
    const card = readModelCard(file);
    return { config: configFromCard(card, path.resolve(file)), calibrationPath: path.resolve(file), calibration: card.calibration, card };
  }
  const config = FaceModelConfigSchema.parse(json);
  return { config, calibrationPath: path.resolve(path.dirname(file), config.calibration) };
}

/** Validates an inline config; a relative calibration path is resolved against `baseDir`. */
export function resolveModelConfig(input: FaceModelConfigInput, baseDir = packageDir): LoadedModelConfig {
  const config = FaceModelConfigSchema.parse(input);
  return { config, calibrationPath: path.resolve(baseDir, config.calibration) };
}

/** Pipeline knobs that do not depend on the embedding model. */
export const PipelineOptionsSchema = z
  .object({
    /** YuNet score needed to accept a face */
    detectScore: z.number().min(0).max(1).default(0.6),
    /** lower score accepted on a retry pass (other scales), for small/degraded images */
    retryDetectScore: z.number().min(0).max(1).default(0.45),
    /** long side (network pixels) of the first detection pass; small images are upscaled to it */
    detectLongSide: z.number().int().min(64).max(640).default(320),
    /** further passes when the first finds nothing (upscaling helps small faces, downscaling helps face-filling crops) */
    retryLongSides: z.array(z.number().int().min(64).max(640)).default([640, 480, 160]),
    /** a graduation photo whose face has an eye distance below this (source pixels) is FACE_TOO_SMALL; references are compared whatever their size */
    minEyeDistance: z.number().positive().default(9),
    /**
     * in the graduation photo, another face at least this fraction of the largest face's size
     * (square root of the box-area ratio) makes the subject ambiguous: MULTIPLE_FACES. Smaller
     * faces (people in the background) are ignored; the photo rules judge those.
     */
    multipleFaceRatio: z.number().min(0).max(1).default(0.8),
    /** bring the graduation photo to the reference's condition (grayscale, resolution) before embedding */
    matchReferenceCondition: z.boolean().default(true),
    /** reference faces with an eye distance below this (source pixels) count as low-resolution */
    lowResEyeDistance: z.number().positive().default(30),
  })
  .strict();
export type PipelineOptions = z.infer<typeof PipelineOptionsSchema>;
export type PipelineOptionsInput = z.input<typeof PipelineOptionsSchema>;
