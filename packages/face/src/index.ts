export {
  createFaceComparer,
  createFaceMatcher,
  type FaceComparer,
  type FaceComparerOptions,
  type FaceMatcher,
  type CompareResult,
  type EmbedResult,
  type ImageInput,
} from "./comparer.js";
export {
  PASS_THRESHOLD,
  CalibrationSchema,
  calibrationVersion,
  loadCalibration,
  assertCalibrationFits,
  procedureOf,
  ProcedureSchema,
  type Procedure,
  parseCalibration,
  scoreFromSimilarity,
  similarityForScore,
  type Calibration,
} from "./calibration.js";
export {
  FaceModelConfigSchema,
  PipelineOptionsSchema,
  DEFAULT_MODEL_CONFIG_PATH,
  loadModelConfig,
  resolveModelConfig,
  type LoadedModelConfig,
  packageDir,
  type FaceModelConfig,
  type FaceModelConfigInput,
  type PipelineOptions,
  type PipelineOptionsInput,
} from "./config.js";
export { calibrateFace, CalibrateReportSchema, CalibrateUsageError, formatCalibrateReport, LabelledPairsSchema, type CalibrateOptions, type CalibrateReport } from "./calibrate.js";
export { ModelCardSchema, ModelCardError, readModelCard, writeModelCard, configFromCard, assertCardCalibrated, isModelCard, describeModelCard, type CardStatus, type ModelCard } from "./model-card.js";
export { FaceError, faceErrorMessage, type FaceErrorCode, type FaceErrorInfo, type ImageRole } from "./errors.js";
export { cosine } from "./embedder.js";
export { lowQualityReferenceNote } from "./comparer.js";
export { describeReasons, estimateJpegQuality, faceSharpness, REFERENCE_QUALITY_LIMITS, type ReferenceQuality, type ReferenceQualityReason } from "./reference-quality.js";
export { buildKnots, fitImpostorTail, identityBootstrap, inverseNormalCdf, scoreForFar, similarityAtFar, sortedQuantile, upperQuantile, type Anchor, type TailFit } from "./fit.js";
export { TEMPLATE_EYE_DISTANCE, findFaces, type EmbedCondition, type FaceAnalysis } from "./pipeline.js";
export {
  runCompare,
  runCompareCommand,
  CompareCliResultSchema,
  CompareUsageError,
  COMPARE_USAGE,
  type CompareCliResult,
  type RunCompareInput,
  type RunCompareOptions,
} from "./cli.js";
export { tc3Headers, sha256hex, TC3_CONTENT_TYPE, type Tc3Input } from "./cloud/tc3.js";
export {
  TencentCompareClient,
  TencentCompareOptionsSchema,
  CircuitBreaker,
  CloudCompareError,
  mapTencentError,
  tencentScoreToOurs,
  TENCENT_SCORE_POINTS,
  type CloudErrorCode,
  type TencentCompareOptions,
  type TencentCompareResult,
} from "./cloud/tencent-compare.js";
export { createCloudComparer, FACE_PROVIDERS, type CloudComparer, type FaceProviderName, type ProviderCompareResult } from "./cloud/provider.js";
