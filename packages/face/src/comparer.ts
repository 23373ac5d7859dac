import os from "node:os";
import { modelDir as defaultModelDir, type DetectedFace, type RgbImage } from "@gradphoto/vision";
import { assertCalibrationFits, loadCalibration, parseCalibration, PASS_THRESHOLD, procedureOf, scoreFromSimilarity, type Calibration } from "./calibration.js";
import {
  loadModelConfig,
  type LoadedModelConfig,
  PipelineOptionsSchema,
  resolveModelConfig,
  type FaceModelConfig,
  type FaceModelConfigInput,
  type PipelineOptions,
  type PipelineOptionsInput,
} from "./config.js";
import { cosine, createEmbedder, type Embedder } from "./embedder.js";
import { FaceError, type FaceErrorInfo, type ImageRole } from "./errors.js";
import type { ModelCard } from "./model-card.js";
import { SideWorker } from "./parallel.js";
import { describeReasons, type ReferenceQuality } from "./reference-quality.js";
import { alignedCrops, analyseFace, conditionFor, measureReferenceQuality, NO_CONDITION, type EmbedCondition, type FaceAnalysis, type FaceInfo } from "./pipeline.js";

export type ImageInput = Buffer | Uint8Array | RgbImage;

export interface FaceComparerOptions {
  /** model config: a JSON file path, or an inline config (default: models/faceplugin-mfn-512.card.json) */
  model?: string | FaceModelConfigInput;
  /** calibration override: a file path or a parsed calibration (default: the one the config names) */
  calibration?: string | Calibration;
  pipeline?: PipelineOptionsInput;
  /** where the ONNX files are (default MODEL_DIR or ../shared/models) */
  modelDir?: string;
  /**
   * process the two photos of a comparison at the same time, one on a worker thread with its own
   * model sessions (default: when the machine has more than one core). Falls back to one thread
   * when the worker cannot start.
   */
  parallel?: boolean;
}

/** Result of one comparison. `score` is null whenever `error` is set: there is no fake 0. */
export interface CompareResult {
  /** calibrated 0–100 (one decimal), null when the comparison could not be made */
  score: number | null;
  /** score ≥ threshold */
  passed: boolean;
  threshold: number;
  modelId: string;
  calibrationVersion: string;
  /** raw cosine similarity of the two embeddings */
  similarity?: number;
  error?: FaceErrorInfo;
  /** set when the reference had several faces and the largest was used */
  referenceNote?: string;
  /** the admission photo's quality (whenever its face was found) */
  referenceQuality?: ReferenceQuality;
  /**
   * set when the score is under the pass line and the reference is low quality: the low score may
   * be the admission photo's fault, so this is not the graduate's failed photo (Chinese, for the graduate)
   */
  lowQualityReferenceNote?: string;
  /** the score reached the line but cannot pass by itself: the reference face is under 9 px between the eyes */
  autoPassBlocked?: "REFERENCE_FACE_TOO_SMALL";
}

export interface EmbedResult {
  embedding: Float32Array;
  face: DetectedFace;
  faceCount: number;
  modelId: string;
}

export interface FaceComparer {
  readonly modelId: string;
  readonly calibrationVersion: string;
  readonly threshold: number;
  readonly config: FaceModelConfig;
  readonly calibration: Calibration;
  readonly pipeline: PipelineOptions;
  /** graduation photo vs admission (reference) photo */
  compare(photo: ImageInput, reference: ImageInput): Promise<CompareResult>;
  /** embedding of the largest face, without any conditioning (throws FaceError) */
  embed(image: ImageInput, role?: ImageRole): Promise<EmbedResult>;
  /** calibrated score for a raw cosine similarity */
  score(similarity: number): number;
  /** lower-level steps, for evaluation tools */
  analyse(image: ImageInput, role: ImageRole): Promise<FaceAnalysis>;
  embedAnalysis(a: FaceAnalysis, cond?: EmbedCondition): Promise<Float32Array>;
  similarity(photo: FaceAnalysis, reference: FaceAnalysis): Promise<number>;
  /** whether compare() runs the photo on a worker thread */
  readonly parallel: boolean;
  /** stops the worker thread, if any (the comparer still works, on one thread) */
  close(): Promise<void>;
}

/** Model + pipeline without a calibration: raw cosine similarities (used by the comparer and by eval). */
export interface FaceMatcher {
  readonly config: FaceModelConfig;
  readonly modelSha256: string;
  readonly pipeline: PipelineOptions;
  /** absolute path of the calibration file the config names (for a model card: the card) */
  readonly calibrationPath: string;
  /** model card only: the card and its calibration (null when not calibrated yet) */
  readonly card?: ModelCard;
  readonly cardCalibration?: Calibration | null;
  analyse(image: ImageInput, role: ImageRole): Promise<FaceAnalysis>;
  /** embedding of an analysed face under a condition */
  embedAnalysis(a: FaceAnalysis, cond?: EmbedCondition): Promise<Float32Array>;
  /** cosine of photo and reference, each brought to the other's condition */
  similarity(photo: FaceAnalysis, reference: FaceAnalysis): Promise<number>;
}

export async function createFaceMatcher(opts: Omit<FaceComparerOptions, "calibration"> = {}): Promise<FaceMatcher> {
  let loaded: LoadedModelConfig;
  try {
    loaded = opts.model === undefined ? loadModelConfig() : typeof opts.model === "string" ? loadModelConfig(opts.model) : resolveModelConfig(opts.model);
  } catch (err) {
    throw new FaceError("MODEL_UNAVAILABLE", undefined, `人脸比对模型配置无效：${(err as Error).message}`);
  }
  const { config, calibrationPath } = loaded;
  const pipeline = PipelineOptionsSchema.parse(opts.pipeline ?? {});
  const embedder: Embedder = await createEmbedder(config, opts.modelDir ?? defaultModelDir());
  const size = config.input.size;
  const embedAnalysis = async (a: FaceAnalysis, cond: EmbedCondition = NO_CONDITION): Promise<Float32Array> =>
    embedder.embedCrops(await alignedCrops(a, size, cond, config.cropScales));
  return {
    config,
    modelSha256: embedder.modelSha256,
    pipeline,
    calibrationPath,
    ...(loaded.card ? { card: loaded.card, cardCalibration: loaded.calibration ?? null } : {}),
    analyse: (image, role) => analyseFace(image, role, pipeline),
    embedAnalysis,
    async similarity(p, r) {
      const ep = await embedAnalysis(p, conditionFor(p, r, pipeline));
      const er = await embedAnalysis(r, conditionFor(r, p, pipeline));
      return cosine(ep, er);
    },
  };
}

/** Loads model (sha256-checked) and calibration once; the comparer is then reusable and cheap. */
export async function createFaceComparer(opts: FaceComparerOptions = {}): Promise<FaceComparer> {
  const matcher = await createFaceMatcher(opts);
  const { config, pipeline } = matcher;
  const expect = { modelId: config.id, modelSha256: matcher.modelSha256, procedure: procedureOf(config) };
  let calibration: Calibration;
  if (opts.calibration === undefined && matcher.card) {
    if (!matcher.cardCalibration) {
      throw new FaceError("CALIBRATION_INVALID", undefined, `模型卡 ${matcher.calibrationPath}（${config.id}）缺少校准，请先运行 gradphoto calibrate-face`);
    }
    calibration = matcher.cardCalibration;
    assertCalibrationFits(calibration, expect, `模型卡 ${matcher.calibrationPath} 的校准`);
  } else if (opts.calibration === undefined || typeof opts.calibration === "string") {
    const file = opts.calibration ?? matcher.calibrationPath;
    calibration = loadCalibration(file);
    assertCalibrationFits(calibration, expect, `校准文件 ${file} `);
  } else {
    try {
      calibration = parseCalibration(opts.calibration);
    } catch (err) {
      throw new FaceError("CALIBRATION_INVALID", undefined, `人脸比对校准无效：${(err as Error).message}`);
    }
    assertCalibrationFits(calibration, expect);
  }
  const base = { threshold: PASS_THRESHOLD, modelId: config.id, calibrationVersion: calibration.version };
  // Started once the calibration is known to fit, so a refused comparer leaves no thread behind.
  let side: SideWorker | undefined;
  if (opts.parallel ?? os.availableParallelism() > 1) {
    side = await SideWorker.start({ config, pipeline, modelDir: opts.modelDir ?? defaultModelDir() }).catch(() => undefined);
  }

  return {
    modelId: config.id,
    calibrationVersion: calibration.version,
    threshold: PASS_THRESHOLD,
    config,
    calibration,
    pipeline,
    analyse: matcher.analyse,
    embedAnalysis: matcher.embedAnalysis,
    similarity: matcher.similarity,
    score: (s) => scoreFromSimilarity(calibration, s),

    get parallel() {
      return side?.alive ?? false;
    },

    async close() {
      await side?.close();
      side = undefined;
    },

    async compare(photo, reference) {
      let sim: number, r: FaceInfo;
      try {
        if (side?.alive) [sim, r] = await compareParallel(side, matcher, photo, reference);
        else {
          const p = await matcher.analyse(photo, "photo");
          const ra = await matcher.analyse(reference, "reference");
          [sim, r] = [await matcher.similarity(p, ra), ra];
        }
      } catch (err) {
        if (err instanceof FaceError && err.image) return { ...base, score: null, passed: false, error: err.toInfo() };
        throw err;
      }
      const score = scoreFromSimilarity(calibration, sim);
      // A reference face under the graduation photo's minimum (eye distance < 9 px) is compared, but
      // its score cannot vouch for anyone: on the dev set such references gave strangers up to 92.
      const tooSmall = r.eyeDistance < pipeline.minEyeDistance;
      const result: CompareResult = { ...base, score, passed: score >= PASS_THRESHOLD && !tooSmall, similarity: sim };
      if (tooSmall) result.autoPassBlocked = "REFERENCE_FACE_TOO_SMALL";
      if (r.faceCount > 1) result.referenceNote = `录取照片中检测到 ${r.faceCount} 张人脸，已使用面积最大的一张进行比对`;
      if (r.quality) {
        result.referenceQuality = r.quality;
        if (!result.passed && r.quality.lowQuality) result.lowQualityReferenceNote = lowQualityReferenceNote(r.quality, score);
      }
      return result;
    },

    async embed(image, role = "photo") {
      const a = await matcher.analyse(image, role);
      const embedding = await matcher.embedAnalysis(a);
      return { embedding, face: a.face, faceCount: a.faceCount, modelId: config.id };
    },
  };
}

/** What the graduate is told when a low-quality admission photo may explain a score under 80. */
export function lowQualityReferenceNote(q: ReferenceQuality, score = 0): string {
  if (score >= PASS_THRESHOLD) return `录取照片中的人脸过小（${describeReasons(q.reasons)}），无法自动判定是否本人，不计为您的照片未通过`;
  return `比对分数未达到${PASS_THRESHOLD}分，可能是录取照片质量较低（${describeReasons(q.reasons)}）所致，不计为您的照片未通过`;
}

/**
 * The photo on the worker, the reference on this thread: both analysed at once, then both embedded
 * at once (each under the condition the other one sets). The photo's error wins when both fail, as
 * on one thread.
 */
async function compareParallel(side: SideWorker, matcher: FaceMatcher, photo: ImageInput, reference: ImageInput): Promise<[number, FaceInfo]> {
  // The reference's quality is not needed to embed it: measured while the two embeddings run.
  const [p, r] = await Promise.allSettled([side.analyse(photo, "photo"), analyseFace(reference, "reference", matcher.pipeline, { quality: false })]);
  if (p.status === "rejected") throw p.reason;
  if (r.status === "rejected") {
    side.drop(p.value);
    throw r.reason;
  }
  const [ep, er, quality] = await Promise.all([
    side.embed(p.value, conditionFor(p.value, r.value, matcher.pipeline)),
    matcher.embedAnalysis(r.value, conditionFor(r.value, p.value, matcher.pipeline)),
    measureReferenceQuality(r.value, reference),
  ]);
  return [cosine(ep, er), { ...r.value, quality }];
}
