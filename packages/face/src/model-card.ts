import { createHash } from "node:crypto";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { z } from "zod";
import { CalibrationSchema, type Calibration } from "./calibration.js";
import type { FaceModelConfig } from "./config.js";

const Triple = z.tuple([z.number(), z.number(), z.number()]);

/**
 * A model card: everything the comparison needs to use an ArcFace-style recognition model, kept as
 * JSON beside the ONNX file (or in packages/face/models, pointing at MODEL_DIR). Adding a licensed
 * model is writing one of these and running `gradphoto calibrate-face`, which fills `calibration`.
 */
export const ModelCardSchema = z
  .object({
    card: z.literal(1),
    /** stable id recorded with every comparison */
    id: z.string().regex(/^[a-z0-9][a-z0-9._-]*$/),
    description: z.string().optional(),
    /** the ONNX file, relative to MODEL_DIR */
    file: z.string().min(1),
    sha256: z.string().regex(/^[0-9a-f]{64}$/),
    /** who may use the weights for what (shown by `gradphoto doctor`); required, never guessed */
    licence: z.string().min(1),
    input: z
      .object({
        name: z.string().min(1),
        /** the model's input dims, batch 1: [1,3,S,S] for NCHW, [1,S,S,3] for NHWC */
        shape: z.tuple([z.literal(1), z.number().int().positive(), z.number().int().positive(), z.number().int().positive()]),
        layout: z.enum(["NCHW", "NHWC"]),
        channelOrder: z.enum(["RGB", "BGR"]),
        /** value = (pixel − mean) / std, per channel in the model's channel order */
        mean: Triple,
        std: Triple,
      })
      .strict(),
    alignment: z
      .object({
        /** five points (eyes, nose, mouth corners) onto InsightFace's 112×112 ArcFace template, scaled to the crop */
        template: z.literal("arcface-5pt"),
        cropSize: z.number().int().min(32).max(512),
      })
      .strict(),
    embedding: z
      .object({
        output: z.string().min(1),
        size: z.number().int().positive(),
        /** embed the mirrored crop too and sum (flip averaging) */
        flipAverage: z.boolean(),
      })
      .strict(),
    /** template scales embedded and averaged (test-time augmentation); default [1] */
    cropScales: z.array(z.number().min(0.5).max(1.5)).min(1).optional(),
    /** cosine → 0–100 mapping, written by `gradphoto calibrate-face`; null until then (the API refuses to start) */
    calibration: CalibrationSchema.nullable(),
  })
  .strict()
  .superRefine((c, ctx) => {
    const [, a, b, d] = c.input.shape;
    const [ch, h, w] = c.input.layout === "NCHW" ? [a, b, d] : [d, a, b];
    if (ch !== 3) ctx.addIssue({ code: "custom", path: ["input", "shape"], message: `a ${c.input.layout} shape must have 3 channels at the ${c.input.layout === "NCHW" ? "second" : "last"} position` });
    if (h !== c.alignment.cropSize || w !== c.alignment.cropSize) {
      ctx.addIssue({ code: "custom", path: ["input", "shape"], message: `input ${h}×${w} does not match the alignment crop ${c.alignment.cropSize}×${c.alignment.cropSize}` });
    }
    const cal = c.calibration;
    if (cal && (cal.modelId !== c.id || cal.modelSha256 !== c.sha256)) {
      ctx.addIssue({ code: "custom", path: ["calibration"], message: `calibration belongs to ${cal.modelId} (sha256 ${cal.modelSha256.slice(0, 12)}), not to this card's ${c.id} (${c.sha256.slice(0, 12)})` });
    }
  });
export type ModelCard = z.infer<typeof ModelCardSchema>;

/** Whether parsed JSON is a model card (as opposed to the older config + separate calibration file). */
export const isModelCard = (json: unknown): boolean => typeof json === "object" && json !== null && (json as { card?: unknown }).card !== undefined;

export class ModelCardError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "ModelCardError";
  }
}

/** Reads and validates a card (ModelCardError with the file and the first problem). */
export function readModelCard(file: string): ModelCard {
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(file, "utf8"));
  } catch (err) {
    throw new ModelCardError(`model card ${file} cannot be read: ${(err as Error).message}`);
  }
  const r = ModelCardSchema.safeParse(json);
  if (!r.success) {
    const i = r.error.issues[0]!;
    throw new ModelCardError(`model card ${file} is invalid: ${i.path.join(".") || "(root)"}: ${i.message}`);
  }
  return r.data;
}

/** Writes a card (validated first), keeping a stable, readable layout. */
export function writeModelCard(file: string, card: ModelCard): void {
  writeFileSync(file, JSON.stringify(ModelCardSchema.parse(card), null, 2) + "\n");
}

/** The runtime config a card stands for (the embedder and the worker thread use this). */
export function configFromCard(card: ModelCard, cardPath: string): FaceModelConfig {
  return {
    id: card.id,
    ...(card.description ? { description: card.description } : {}),
    model: { file: card.file, sha256: card.sha256 },
    input: { name: card.input.name, size: card.alignment.cropSize, channelOrder: card.input.channelOrder, mean: card.input.mean, std: card.input.std, layout: card.input.layout },
    output: { name: card.embedding.output, dim: card.embedding.size },
    flipAverage: card.embedding.flipAverage,
    cropScales: card.cropScales ?? [1],
    calibration: cardPath,
  };
}

/** Startup check (API, doctor): the card is valid and calibrated; returns it. */
export function assertCardCalibrated(file: string): ModelCard & { calibration: Calibration } {
  const card = readModelCard(file);
  if (!card.calibration) throw new ModelCardError(`model card ${file} (${card.id}) has no calibration: run gradphoto calibrate-face --card ${file} --pairs <pairs.json> --far 1e-4`);
  return card as ModelCard & { calibration: Calibration };
}

export interface CardStatus {
  ok: boolean;
  /** one line for `gradphoto doctor` */
  detail: string;
  card?: ModelCard;
}

/** What `gradphoto doctor` shows: the model, its licence note and its calibration; ok when the file matches and the card is calibrated. */
export function describeModelCard(file: string, dir: string): CardStatus {
  let card: ModelCard;
  try {
    card = readModelCard(file);
  } catch (err) {
    return { ok: false, detail: (err as Error).message };
  }
  const p = path.resolve(dir, card.file);
  let fileNote: string;
  let fileOk = false;
  if (!existsSync(p)) fileNote = `${card.file} missing in ${dir}`;
  else {
    const actual = createHash("sha256").update(readFileSync(p)).digest("hex");
    fileOk = actual === card.sha256;
    fileNote = fileOk ? `${card.file} sha256 ok` : `${card.file} sha256 ${actual.slice(0, 12)}…, card says ${card.sha256.slice(0, 12)}…`;
  }
  const cal = card.calibration;
  const calNote = cal ? `calibration ${cal.version} (80 ↔ FAR ${cal.anchors.find((a) => a.score === 80)?.far ?? "?"}, ${cal.createdAt.slice(0, 10)})` : "NOT CALIBRATED (run gradphoto calibrate-face)";
  return { ok: fileOk && cal !== null, detail: `${card.id}: ${fileNote}; ${calNote}; licence: ${card.licence}`, card };
}
