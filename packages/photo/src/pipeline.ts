import type { RgbImage } from "@gradphoto/vision";
import { runChecks, isCompliant, type CheckInput, type CheckResult, type PhotoOrigin } from "./checks.js";
import { composite, type LocalColours } from "./compose.js";
import { estimateHeadTop, headGeometry, planCrop, segmentRegion, type CropPlan } from "./crop.js";
import { decodeImage, type Decoded, type SourceInfo } from "./decode.js";
import { detectStep, type FaceSet } from "./detect.js";
import { encodeJpeg, encodeToSize } from "./encode.js";
import { PhotoError, toErrorInfo, type PhotoErrorInfo } from "./errors.js";
import { faceModels, landmarkPoints, posePatch, type FaceLandmarks } from "./landmarks.js";
import { coarseAlpha, keepSubject, refineAlpha } from "./matte.js";
import { measureStep, type Measurements } from "./measure.js";
import "./models.js";
import { resampleRegion, sampleFloat, type FloatImage } from "./pixels.js";
import { parsePatch, segmentStep, sendPersonMask, type Segmentation } from "./segment.js";
import { backgroundRgb, photoSpec, type PhotoSpec, type PhotoSpecInput } from "./spec.js";

export interface PhotoOptions {
  /** album uploads are held to the notice's input rule (size, bytes, JPG); camera captures are not */
  origin?: PhotoOrigin;
}

export interface PhotoReport {
  compliant: boolean;
  checks: CheckResult[];
  error?: PhotoErrorInfo;
  source?: Pick<SourceInfo, "format" | "width" | "height" | "bytes" | "space" | "depth" | "hasAlpha" | "orientation"> & { faceWidthPx?: number };
  /** milliseconds per step */
  timings: Record<string, number>;
}

export interface OutputGeometry {
  /** px from the top edge to the hair top, measured on the final matte */
  headTop: number;
  /** px from the top edge to the eye line */
  eyeLine: number;
  /** cheek-to-cheek width in px */
  faceWidth: number;
  /** face centre minus image centre, px */
  centreOffset: number;
}

export interface StandardizeReport extends PhotoReport {
  output?: {
    width: number;
    height: number;
    bytes: number;
    quality: number;
    sizeOk: boolean;
    sizeNote?: string;
    geometry: OutputGeometry;
    /** the part of the (upright) source photo the standard photo shows, source pixels (may reach past its edges) */
    crop: { x: number; y: number; width: number; height: number };
    background: [number, number, number];
    print: { width: number; height: number; bytes: number; quality: number };
  };
}

export interface StandardizeResult {
  report: StandardizeReport;
  /** the standard JPEG (e.g. 480×640, 20–40 KB), present when a photo could be produced */
  image?: Buffer;
  /** the larger print version (same crop) */
  print?: Buffer;
}

interface Analysis {
  decoded: Decoded;
  faces: FaceSet;
  checks: CheckResult[];
  landmarks?: FaceLandmarks;
  seg?: Segmentation;
  measurements?: Measurements;
  plan?: CropPlan;
  error?: PhotoErrorInfo;
}

const now = () => performance.now();

/**
 * Longest side of the working copy. A 12 MP phone photo is decoded at 1/4 scale (1000×750, JPEG
 * shrink-on-load): enough for a 480×640 output of any face that passes the 160-px resolution rule,
 * and the same working copy for check() and standardize(), so both give the same verdicts.
 */
const WORK_SIDE = 1600;

/**
 * Face width (px) the working copy must give the graduate's face. The output's face is 180–300 px wide
 * (median ≈ 213): a face decoded narrower than this would be enlarged for the output, and blurred. A
 * 12 MP photo in which someone else took a half-length portrait has a face of 300–500 px, which the
 * 1/4-scale working copy shrank to 75–125 px (the `sharp` score of one such photo fell 16.4 → 7.9).
 */
const MIN_WORK_FACE = 200;

/**
 * The largest working copy a finer decode may make (a 12 MP photo at 1/2 scale is 3 MP). A full 12 MP
 * copy (36 MB of RGB) lifted the peak RSS of the 100-photo benchmark from ≈ 365 to 413 MB.
 */
const MAX_WORK_PIXELS = 4_200_000;

/**
 * A larger `maxWorkSide` for a photo whose shrunk working copy holds the face in fewer than
 * MIN_WORK_FACE pixels, when the source has them: the power-of-two shrink halved until the face has
 * them, or none is left, or the copy would exceed MAX_WORK_PIXELS. Undefined when the copy stays as
 * it is, or when the face is too small in the source anyway (face_resolution refuses it, and more
 * pixels would only cost time).
 */
export function finerWorkSide(decoded: Decoded, faceWidth: number, minFaceWidthPx: number): number | undefined {
  if (decoded.scale >= 1 || faceWidth >= MIN_WORK_FACE) return undefined;
  const sourceFace = faceWidth / decoded.scale;
  if (sourceFace < minFaceWidthPx) return undefined;
  const { width: W, height: H } = decoded.source;
  const k0 = Math.round(1 / decoded.scale); // the shrink used (a power of two)
  let k = k0;
  while (k > 1 && sourceFace / k < MIN_WORK_FACE && (W / (k / 2)) * (H / (k / 2)) <= MAX_WORK_PIXELS) k /= 2;
  return k < k0 ? Math.ceil(Math.max(W, H) / k) : undefined;
}

async function analyse(input: Uint8Array, spec: PhotoSpec, opts: PhotoOptions, maxWorkSide: number, timings: Record<string, number>): Promise<Analysis> {
  let t = now();
  let decoded = await decodeImage(input, spec, { maxWorkSide });
  timings.decode = now() - t;
  t = now();
  let faces = await detectStep(decoded.image, spec.thresholds);
  timings.detect = now() - t;
  const finer = faces.main ? finerWorkSide(decoded, faces.main.box.width, spec.thresholds.minFaceWidthPx) : undefined;
  if (finer) {
    // decoded and detected again with more pixels; both times count
    t = now();
    decoded = await decodeImage(input, spec, { maxWorkSide: finer });
    timings.decode += now() - t;
    t = now();
    faces = await detectStep(decoded.image, spec.thresholds);
    timings.detect += now() - t;
  }
  const img = decoded.image;
  const base = { spec, origin: opts.origin ?? "camera", source: decoded.source, scale: decoded.scale, faces } as const;
  if (!faces.main) {
    return { decoded, faces, checks: runChecks(base), error: { code: "NO_FACE", message: "未检测到人脸，请正对镜头、露出完整面部后重新拍摄" } };
  }
  // landmarks first (2 ms), then PP-HumanSeg goes to its worker thread, and the parse, eye and pose
  // models run here meanwhile: timed together as "landmarks+segment"
  t = now();
  const points = await landmarkPoints(img, faces.main);
  // the region the models see: the layout's crop without the sideways fitting of the final plan (the
  // parse model's clothes map, and so clothes_contrast, depends on the region's framing)
  const plan0 = planCrop(headGeometry(points, estimateHeadTop(points)), img.width, img.height, spec, { fillSides: false });
  const region = segmentRegion(plan0, img.width, img.height);
  // the three model inputs are resampled at once on libvips threads; PP-HumanSeg's is sent first
  const parseInput = parsePatch(img, region);
  const headPatch = posePatch(img, faces.main.box);
  for (const p of [parseInput, headPatch]) p.catch(() => undefined); // awaited by the steps below
  const person = await sendPersonMask(img, region);
  const [seg, landmarks] = await Promise.all([
    segmentStep(img, region, { person, parsePatch: parseInput }),
    faceModels(img, faces.main, points, { expression: spec.severity.natural_expression !== "off", posePatch: headPatch }),
  ]);
  timings["landmarks+segment"] = now() - t;
  t = now();
  const measurements = measureStep(img, landmarks, seg);
  const plan = planCrop(headGeometry(landmarks, measurements.headTopAbs), img.width, img.height, spec);
  const checks = runChecks({ ...base, landmarks, measurements });
  timings.checks = now() - t;
  const error: PhotoErrorInfo | undefined =
    faces.others.length > 0 ? { code: "MULTIPLE_FACES", message: `检测到 ${faces.others.length + 1} 张人脸（包括背景中的人），照片中只能有本人` } : undefined;
  return { decoded, faces, checks, landmarks, seg, measurements, plan, error };
}

function sourceSummary(d: Decoded, lm?: FaceLandmarks): PhotoReport["source"] {
  const s = d.source;
  return {
    format: s.format, width: s.width, height: s.height, bytes: s.bytes, space: s.space, depth: s.depth, hasAlpha: s.hasAlpha, orientation: s.orientation,
    ...(lm ? { faceWidthPx: Math.round(lm.faceWidth / d.scale) } : {}),
  };
}

/**
 * Everything `runChecks` judges, without judging it: for evaluations that re-run the checks under other
 * thresholds (packages/photo/scripts/threshold-fit.ts). `error` as in check(); throws on unreadable input.
 */
export async function checkInputs(image: Uint8Array, spec: PhotoSpec, opts: PhotoOptions = {}): Promise<{ input: Omit<CheckInput, "spec">; error?: PhotoErrorInfo }> {
  const a = await analyse(image, spec, opts, WORK_SIDE, {});
  const input = { origin: opts.origin ?? "camera", source: a.decoded.source, scale: a.decoded.scale, faces: a.faces, landmarks: a.landmarks, measurements: a.measurements };
  return { input, ...(a.error ? { error: a.error } : {}) };
}

/** Quality checks only (no output image). Never throws: failures come back as `report.error`. */
export async function check(image: Uint8Array, specInput: PhotoSpec | PhotoSpecInput = {}, opts: PhotoOptions = {}): Promise<PhotoReport> {
  const timings: Record<string, number> = {};
  const t0 = now();
  try {
    const spec = isParsedSpec(specInput) ? specInput : photoSpec(specInput);
    const a = await analyse(image, spec, opts, WORK_SIDE, timings);
    timings.total = now() - t0;
    return { compliant: !a.error && isCompliant(a.checks), checks: a.checks, ...(a.error ? { error: a.error } : {}), source: sourceSummary(a.decoded, a.landmarks), timings };
  } catch (e) {
    timings.total = now() - t0;
    return { compliant: false, checks: [], error: toErrorInfo(e), timings };
  }
}

/**
 * Checks plus the standardised photo: crop to the 学信网 layout, new background, JPEG sized to the
 * campaign's KB range, and a larger print version. Never throws.
 */
export async function standardize(image: Uint8Array, specInput: PhotoSpec | PhotoSpecInput = {}, opts: PhotoOptions = {}): Promise<StandardizeResult> {
  const timings: Record<string, number> = {};
  const t0 = now();
  try {
    const spec = isParsedSpec(specInput) ? specInput : photoSpec(specInput);
    const a = await analyse(image, spec, opts, WORK_SIDE, timings);
    const report: StandardizeReport = { compliant: false, checks: a.checks, source: sourceSummary(a.decoded, a.landmarks), timings };
    if (a.error) report.error = a.error;
    if (a.error || !a.landmarks || !a.seg || !a.plan || !a.measurements) {
      timings.total = now() - t0;
      return { report };
    }
    let t = now();
    const img = a.decoded.image;
    const o = spec.output;
    const bg = backgroundRgb(o.background);
    let plan = a.plan;
    // print version: same crop, as many pixels as the working image holds (3:4), capped; its crop is
    // resampled (libvips thread) while the standard render runs here
    const printSize = (p: CropPlan) => {
      const w = Math.max(o.width, Math.min(o.printMaxWidth, Math.floor(p.rect.w / 3) * 3));
      return { w, h: Math.round((w * o.height) / o.width) };
    };
    const printCrop = (p: CropPlan) => {
      const s = printSize(p);
      if (s.w === o.width) return null;
      const pr = resampleRegion(img, p.rect, s.w, s.h);
      pr.catch(() => undefined); // handled where awaited; never an unhandled rejection if the render fails first
      return pr;
    };
    let printCropP = printCrop(plan);
    let std = await renderCrop(img, a.seg, plan, a.landmarks, o.width, o.height, bg);
    // the matte at output resolution gives the exact hair top: re-plan once if it is too close to the
    // edge of its range (measurement error) or outside it
    const k0 = o.height / 640;
    const measuredTop = std.headTop;
    if (measuredTop < (o.headTop[0] + 4) * k0 || measuredTop > (o.headTop[1] - 4) * k0) {
      const hairY = plan.rect.y + measuredTop / plan.scale;
      plan = planCrop(headGeometry(a.landmarks, hairY), img.width, img.height, spec);
      printCropP = printCrop(plan);
      std = await renderCrop(img, a.seg, plan, a.landmarks, o.width, o.height, bg);
      timings.replanned = 1;
    }
    timings.compose = now() - t;
    t = now();
    // the standard JPEG's quality search runs on libvips threads while the print version is composed
    // here, then the print is encoded beside the last search rounds
    const encP = encodeToSize(std.image, { minKb: o.minKb, maxKb: o.maxKb, minQuality: o.minQuality, dpi: o.dpi });
    encP.catch(() => undefined); // awaited below; no unhandled rejection if the print fails first
    const { w: pw, h: ph } = printSize(plan);
    const printImg = printCropP ? renderPrint(await printCropP, std.alpha, bg, std.colours) : std.image;
    const [enc, print] = await Promise.all([encP, encodeJpeg(printImg, o.printQuality, o.dpi)]);
    timings.encodeAndPrint = now() - t;

    const geometry: OutputGeometry = {
      headTop: std.headTop,
      eyeLine: round1((a.landmarks.eyeCentre.y - plan.rect.y) * plan.scale),
      faceWidth: round1(a.landmarks.faceWidth * plan.scale),
      centreOffset: round1(((a.landmarks.points[0]!.x + a.landmarks.points[16]!.x) / 2 - plan.rect.x) * plan.scale - o.width / 2),
    };
    const k = o.height / 640;
    const inR = (v: number, r: readonly [number, number]) => v >= r[0] * k && v <= r[1] * k;
    const geoOk = inR(geometry.headTop, o.headTop) && inR(geometry.eyeLine, o.eyeLine) && inR(geometry.faceWidth, o.faceWidth) && Math.abs(geometry.centreOffset) <= o.maxCentreOffset;
    const extra: CheckResult[] = [];
    const sev = spec.severity;
    const missing = Math.round(plan.missingBottom * plan.scale);
    if (sev.chest_in_frame !== "off") {
      extra.push({
        id: "chest_in_frame", severity: sev.chest_in_frame, passed: missing <= 0.03 * o.height, value: missing, threshold: Math.round(0.03 * o.height),
        message: missing <= 0.03 * o.height ? "上身取景到胸口" : "照片下方取景不足（缺少肩部和胸口），请拍摄到胸口以下的半身照",
      });
    }
    if (sev.sides_in_frame !== "off") {
      const cut = sideCut(std.alpha, plan, img.width, o.width);
      const ok = cut <= 0.05 * o.height;
      extra.push({
        id: "sides_in_frame", severity: sev.sides_in_frame, passed: ok, value: cut, threshold: Math.round(0.05 * o.height),
        message: ok ? "两侧取景完整" : "照片左右取景不足（肩部或头发被照片边缘截断），请离镜头稍远，拍摄双肩完整的半身照",
      });
    }
    if (sev.output_geometry !== "off") {
      extra.push({
        id: "output_geometry", severity: sev.output_geometry, passed: geoOk,
        value: { headTop: geometry.headTop, eyeLine: geometry.eyeLine, faceWidth: geometry.faceWidth, centreOffset: geometry.centreOffset },
        threshold: { headTop: `${o.headTop[0]}-${o.headTop[1]}`, eyeLine: `${o.eyeLine[0]}-${o.eyeLine[1]}`, faceWidth: `${o.faceWidth[0]}-${o.faceWidth[1]}`, maxCentreOffset: o.maxCentreOffset },
        message: geoOk ? "头顶、眼睛位置和脸宽符合规格" : "无法按规格裁剪（头顶位置、眼睛位置或脸宽超出范围），请调整拍摄距离并在头顶上方留出空间",
      });
    }
    if (sev.output_file_size !== "off") {
      extra.push({
        id: "output_file_size", severity: sev.output_file_size, passed: enc.sizeOk, value: round1(enc.bytes / 1024), threshold: `${o.minKb}-${o.maxKb}`,
        message: enc.sizeOk ? `文件大小 ${(enc.bytes / 1024).toFixed(1)} KB，质量 ${enc.quality}` : (enc.sizeNote ?? "无法满足文件大小要求"),
      });
    }
    report.checks = [...a.checks, ...extra];
    report.compliant = !a.error && isCompliant(report.checks);
    report.output = {
      width: o.width, height: o.height, bytes: enc.bytes, quality: enc.quality, sizeOk: enc.sizeOk, ...(enc.sizeNote ? { sizeNote: enc.sizeNote } : {}),
      geometry,
      crop: { x: round1(plan.rect.x / a.decoded.scale), y: round1(plan.rect.y / a.decoded.scale), width: round1(plan.rect.w / a.decoded.scale), height: round1(plan.rect.h / a.decoded.scale) },
      background: bg, print: { width: pw, height: ph, bytes: print.length, quality: o.printQuality },
    };
    timings.total = now() - t0;
    return { report, image: enc.data, print };
  } catch (e) {
    timings.total = now() - t0;
    return { report: { compliant: false, checks: [], error: toErrorInfo(e), timings } };
  }
}

const round1 = (v: number) => Math.round(v * 10) / 10;

/**
 * Crop → coarse matte (half size) → fast guided-filter refinement at output size → composite; also the
 * hair top on the final matte and the local colours the print version reuses.
 */
export async function renderCrop(img: RgbImage, seg: Segmentation, plan: CropPlan, lm: FaceLandmarks, width: number, height: number, bg: readonly [number, number, number]): Promise<{ image: RgbImage; alpha: FloatImage; headTop: number; colours: LocalColours }> {
  const cropP = resampleRegion(img, plan.rect, width, height); // libvips thread, while the coarse matte is computed here
  const coarse = coarseAlpha(seg, plan.rect, Math.ceil(width / 2), Math.ceil(height / 2), img.width, img.height);
  const crop = await cropP;
  const k = width / plan.rect.w;
  const face = { x: (lm.points[30]!.x - plan.rect.x) * k, y: (lm.points[30]!.y - plan.rect.y) * k };
  const refined = keepSubject(refineAlpha(crop, coarse), face);
  const { image, alpha, colours } = composite(crop, refined, bg, coarse.smoothEdge ? { smoothEdge: coarse.smoothEdge } : {});
  return { image, alpha, headTop: alphaTop(alpha, plan, width), colours };
}

/** The print version: the same crop at print size, the standard render's final matte and local colours upsampled. */
export function renderPrint(crop: RgbImage, alpha: FloatImage, bg: readonly [number, number, number], colours?: LocalColours): RgbImage {
  const up = sampleFloat(alpha, { x: 0, y: 0, w: alpha.width, h: alpha.height }, crop.width, crop.height);
  return composite(crop, up, bg, { project: false, ...(colours ? { colours } : {}) }).image;
}

/**
 * Where the crop reaches past the photo's left or right edge, the part of the output beyond it is new
 * background; if the graduate (shoulders, hair, an arm) reaches that edge, the output shows them cut by
 * a vertical line. Output rows along the edge column where the subject is opaque (alpha > 0.5): the
 * longer of the two sides, 0 when the crop stays inside the photo.
 */
export function sideCut(alpha: FloatImage, plan: CropPlan, imgW: number, width: number): number {
  const k = width / plan.rect.w;
  const cols: number[] = [];
  // one column inside the first and last output columns whose pixel centres lie inside the photo, where
  // the photo's edge lies more than 3 % of the width inside the frame (a thinner strip is tolerated,
  // as chest_in_frame tolerates 3 % below)
  const pad = Math.ceil(0.03 * width);
  const left = Math.ceil(-plan.rect.x * k - 0.5), right = Math.floor((imgW - plan.rect.x) * k - 0.5);
  if (left > pad) cols.push(left + 1);
  if (right < width - 1 - pad) cols.push(right - 1);
  let worst = 0;
  for (const c of cols) {
    if (c < 0 || c >= width) continue;
    let n = 0;
    for (let y = 0; y < alpha.height; y++) if (alpha.data[y * width + c]! > 0.5) n++;
    worst = Math.max(worst, n);
  }
  return worst;
}

/** First row (from the top) where ≥ 15 % of the central third is visibly subject (alpha > 0.3): the hair top. */
function alphaTop(alpha: FloatImage, plan: CropPlan, width: number): number {
  void plan;
  const x0 = Math.round(width / 3), x1 = Math.round((2 * width) / 3);
  for (let y = 0; y < alpha.height; y++) {
    let on = 0;
    for (let x = x0; x < x1; x++) if (alpha.data[y * width + x]! > 0.3) on++;
    if (on >= 0.15 * (x1 - x0)) return y;
  }
  return alpha.height;
}

function isParsedSpec(s: PhotoSpec | PhotoSpecInput): s is PhotoSpec {
  const o = (s as PhotoSpec).output;
  return !!o && typeof o.width === "number" && Array.isArray(o.headTop) && !!(s as PhotoSpec).thresholds && !!(s as PhotoSpec).severity && typeof (s as PhotoSpec).severity.single_face === "string";
}

export { PhotoError };
