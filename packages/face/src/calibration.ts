import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { z } from "zod";
import type { FaceModelConfig } from "./config.js";
import { FaceError } from "./errors.js";

/** The pass line of the product ("score below 80 is blocked"). */
export const PASS_THRESHOLD = 80;

const Triple = z.tuple([z.number(), z.number(), z.number()]);

/** What turns an aligned face into an embedding (the calibration is only valid for this). */
export const ProcedureSchema = z
  .object({
    inputSize: z.number().int(),
    channelOrder: z.enum(["RGB", "BGR"]),
    mean: Triple,
    std: Triple,
    flipAverage: z.boolean(),
    cropScales: z.array(z.number()),
  })
  .strict();
export type Procedure = z.infer<typeof ProcedureSchema>;

export function procedureOf(config: FaceModelConfig): Procedure {
  const { size, channelOrder, mean, std } = config.input;
  return { inputSize: size, channelOrder, mean, std, flipAverage: config.flipAverage, cropScales: config.cropScales };
}

const Knot = z.object({ similarity: z.number().min(-1).max(1), score: z.number().min(0).max(100) }).strict();

/**
 * Calibration file: a monotone piecewise-linear map from cosine similarity to the 0–100 score,
 * tied to one model file by its sha256. Written by `pnpm eval:face`, read by the runtime.
 */
export const CalibrationSchema = z
  .object({
    schema: z.literal(1),
    /** `<modelId>@<sha256[0:12]>.<hash of the knots[0:8]>`; recorded with every comparison */
    version: z.string(),
    modelId: z.string(),
    modelSha256: z.string().regex(/^[0-9a-f]{64}$/),
    metric: z.literal("cosine"),
    /** the embedding procedure the similarities were measured with; must match the model config */
    procedure: ProcedureSchema,
    threshold: z.number(),
    /** strictly increasing in both similarity and score; scores outside are clamped to the end knots */
    knots: z.array(Knot).min(2),
    /** how the anchors were chosen (documentation, not used by the runtime) */
    method: z.string(),
    /** false-accept-rate anchors the knots were built from */
    anchors: z.array(z.object({ far: z.number(), similarity: z.number(), score: z.number() }).strict()),
    createdAt: z.string(),
    /** evaluation summary (free form: dataset, counts, tail model, figures) */
    evaluation: z.record(z.string(), z.unknown()),
  })
  .strict()
  .superRefine((c, ctx) => {
    for (let i = 1; i < c.knots.length; i++) {
      const p = c.knots[i - 1]!, k = c.knots[i]!;
      if (!(k.similarity > p.similarity && k.score > p.score)) {
        ctx.addIssue({ code: "custom", path: ["knots", i], message: "knots must increase strictly in similarity and score" });
      }
    }
    if (c.version !== calibrationVersion(c.modelId, c.modelSha256, c.knots)) {
      ctx.addIssue({ code: "custom", path: ["version"], message: "version does not match the model sha256 and knots" });
    }
  });
export type Calibration = z.infer<typeof CalibrationSchema>;

/** Deterministic version string: changes whenever the model bytes or the mapping change. */
export function calibrationVersion(modelId: string, modelSha256: string, knots: ReadonlyArray<{ similarity: number; score: number }>): string {
  const h = createHash("sha256")
    .update(JSON.stringify(knots.map((k) => [k.similarity, k.score])))
    .digest("hex");
  return `${modelId}@${modelSha256.slice(0, 12)}.${h.slice(0, 8)}`;
}

export function parseCalibration(json: unknown): Calibration {
  return CalibrationSchema.parse(json);
}

/** Loads and validates a calibration file (CALIBRATION_INVALID when unreadable or malformed). */
export function loadCalibration(file: string): Calibration {
  try {
    return parseCalibration(JSON.parse(readFileSync(file, "utf8")));
  } catch (err) {
    throw new FaceError("CALIBRATION_INVALID", undefined, `人脸比对校准文件无效（${file}）：${(err as Error).message}`);
  }
}

/** Checks that a calibration was made for this model file and embedding procedure. */
export function assertCalibrationFits(cal: Calibration, expect: { modelId: string; modelSha256: string; procedure: Procedure }, source = "校准"): void {
  if (cal.modelId !== expect.modelId || cal.modelSha256 !== expect.modelSha256) {
    throw new FaceError(
      "CALIBRATION_INVALID",
      undefined,
      `${source}属于模型 ${cal.modelId}（sha256 ${cal.modelSha256.slice(0, 12)}），与当前模型 ${expect.modelId}（sha256 ${expect.modelSha256.slice(0, 12)}）不匹配，请重新运行 pnpm eval:face`,
    );
  }
  if (JSON.stringify(cal.procedure) !== JSON.stringify(expect.procedure)) {
    throw new FaceError("CALIBRATION_INVALID", undefined, `${source}的嵌入流程（${JSON.stringify(cal.procedure)}）与模型配置（${JSON.stringify(expect.procedure)}）不一致，请重新运行 pnpm eval:face`);
  }
}

/** Monotone map cosine → 0–100 (one decimal), linear between knots, clamped outside them. */
export function scoreFromSimilarity(cal: Pick<Calibration, "knots">, similarity: number): number {
  const k = cal.knots;
  let s: number;
  if (!(similarity > k[0]!.similarity)) s = k[0]!.score;
  else if (similarity >= k[k.length - 1]!.similarity) s = k[k.length - 1]!.score;
  else {
    let i = 1;
    while (k[i]!.similarity < similarity) i++;
    const a = k[i - 1]!, b = k[i]!;
    s = a.score + ((similarity - a.similarity) / (b.similarity - a.similarity)) * (b.score - a.score);
  }
  return Math.round(Math.min(100, Math.max(0, s)) * 10) / 10;
}

/** Inverse of the map (the cosine at which a score is reached), for reports. */
export function similarityForScore(cal: Pick<Calibration, "knots">, score: number): number {
  const k = cal.knots;
  if (score <= k[0]!.score) return k[0]!.similarity;
  if (score >= k[k.length - 1]!.score) return k[k.length - 1]!.similarity;
  let i = 1;
  while (k[i]!.score < score) i++;
  const a = k[i - 1]!, b = k[i]!;
  return a.similarity + ((score - a.score) / (b.score - a.score)) * (b.similarity - a.similarity);
}
