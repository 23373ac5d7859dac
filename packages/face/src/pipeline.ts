import { alignFace, ARCFACE_TEMPLATE, cropRgb, decodeRgb, detectFaces, type DetectedFace, type RgbImage } from "@gradphoto/vision";
import type { PipelineOptions } from "./config.js";
import { FaceError, type ImageRole } from "./errors.js";
import { meanChroma, resampleRgb, toGrayRgb } from "./image-ops.js";
import { referenceQuality, type ReferenceQuality } from "./reference-quality.js";

/** Eye distance of the 112×112 ArcFace template. */
export const TEMPLATE_EYE_DISTANCE = Math.hypot(ARCFACE_TEMPLATE[1]!.x - ARCFACE_TEMPLATE[0]!.x, ARCFACE_TEMPLATE[1]!.y - ARCFACE_TEMPLATE[0]!.y);

/** Mean chroma below which a face region counts as grayscale (JPEG noise on gray photos is ≈ 1). */
export const GRAYSCALE_CHROMA = 3;

/** One located face and what the pipeline needs to know about its image. */
export interface FaceAnalysis {
  image: RgbImage;
  face: DetectedFace;
  /** faces found in the image (the largest one is used) */
  faceCount: number;
  /** distance between the eye landmarks, source pixels */
  eyeDistance: number;
  grayscale: boolean;
  /** reference only: what the admission photo's quality is (recorded with the comparison) */
  quality?: ReferenceQuality;
}

/** A FaceAnalysis without its pixels (what crosses a thread boundary). */
export type FaceInfo = Omit<FaceAnalysis, "image">;

/** How a face is rendered before embedding, to match the other image of the pair. */
export interface EmbedCondition {
  grayscale: boolean;
  /** downsample the face so its eye distance is this many pixels (only ever shrinks) */
  eyeDistance?: number;
}

export const NO_CONDITION: EmbedCondition = { grayscale: false };

/**
 * Long side buffers are decoded to at most (shrink-on-load): faces stay far above the template's
 * resolution, and a 24-megapixel phone photo costs a fraction of a full decode.
 */
export const DECODE_MAX_SIDE = 2048;

/** Decodes a buffer (INVALID_IMAGE on failure) or passes an RgbImage through. */
export async function toRgb(input: Buffer | Uint8Array | RgbImage, role: ImageRole): Promise<RgbImage> {
  if (isRgbImage(input)) {
    if (input.data.length !== input.width * input.height * 3 || input.width < 1 || input.height < 1) throw new FaceError("INVALID_IMAGE", role);
    return input;
  }
  try {
    return await decodeRgb(Buffer.from(input.buffer, input.byteOffset, input.byteLength), { maxSide: DECODE_MAX_SIDE });
  } catch {
    throw new FaceError("INVALID_IMAGE", role);
  }
}

function isRgbImage(x: unknown): x is RgbImage {
  return typeof x === "object" && x !== null && !(x instanceof Uint8Array) && "data" in x && "width" in x && "height" in x;
}

const area = (f: DetectedFace): number => f.box.width * f.box.height;
export const eyeDistanceOf = (f: DetectedFace): number => Math.hypot(f.landmarks[1].x - f.landmarks[0].x, f.landmarks[1].y - f.landmarks[0].y);

/** YuNet at the configured scale, then at the retry scales with a lower score, until a face is found. */
export async function findFaces(img: RgbImage, opts: PipelineOptions): Promise<DetectedFace[]> {
  let faces = await detectFaces(img, { targetLongSide: opts.detectLongSide, scoreThreshold: opts.detectScore });
  for (const side of opts.retryLongSides) {
    if (faces.length) break;
    faces = await detectFaces(img, { targetLongSide: side, scoreThreshold: opts.retryDetectScore });
  }
  return faces.sort((a, b) => area(b) - area(a));
}

/**
 * Locates the face to compare. Graduation photo: exactly one dominant face (another face at least
 * `multipleFaceRatio` of its size → MULTIPLE_FACES) with an eye distance of at least
 * `minEyeDistance`. Reference: the largest face whatever its size (an admission photo cannot be
 * replaced by the graduate: a small face is upscaled to the model's input and its quality is
 * recorded instead), `faceCount` says how many were found.
 */
export async function analyseFace(input: Buffer | Uint8Array | RgbImage, role: ImageRole, opts: PipelineOptions, measure = { quality: true }): Promise<FaceAnalysis> {
  const image = await toRgb(input, role);
  const faces = await findFaces(image, opts);
  const face = faces[0];
  if (!face) throw new FaceError("NO_FACE", role);
  if (role === "photo" && faces.length > 1 && Math.sqrt(area(faces[1]!) / area(face)) >= opts.multipleFaceRatio) {
    throw new FaceError("MULTIPLE_FACES", role);
  }
  const eyeDistance = eyeDistanceOf(face);
  if (role === "photo" && eyeDistance < opts.minEyeDistance) throw new FaceError("FACE_TOO_SMALL", role);
  const grayscale = meanChroma(image, face.box) < GRAYSCALE_CHROMA;
  const a: FaceAnalysis = { image, face, faceCount: faces.length, eyeDistance, grayscale };
  if (role === "reference" && measure.quality) a.quality = await measureReferenceQuality(a, input);
  return a;
}

/** The admission photo's quality (recorded with the comparison); `input` is what was analysed, for the JPEG quality. */
export function measureReferenceQuality(a: FaceAnalysis, input: Buffer | Uint8Array | RgbImage): Promise<ReferenceQuality> {
  return referenceQuality(a.image, a.face, a.eyeDistance, a.grayscale, input instanceof Uint8Array ? input : null);
}

/**
 * The condition `self` is embedded under so that it resembles `other`: grayscale when either is
 * grayscale; downsampled to the other's eye distance when the other face is low-resolution.
 */
export function conditionFor(self: FaceInfo, other: FaceInfo, opts: PipelineOptions): EmbedCondition {
  if (!opts.matchReferenceCondition) return NO_CONDITION;
  const c: EmbedCondition = { grayscale: self.grayscale || other.grayscale };
  if (other.eyeDistance < opts.lowResEyeDistance && other.eyeDistance < self.eyeDistance * 0.9) {
    c.eyeDistance = other.eyeDistance;
  }
  return c;
}

/** Faces larger than this many template eye distances are shrunk with libvips before the bilinear warp. */
export const PRESHRINK_FACTOR = 1.5;

/** The ArcFace template scaled by `k` about its landmark centroid (k < 1 shows more context). */
export function scaledTemplate(k: number, size = 112): Array<{ x: number; y: number }> {
  const cx = ARCFACE_TEMPLATE.reduce((s, p) => s + p.x, 0) / 5, cy = ARCFACE_TEMPLATE.reduce((s, p) => s + p.y, 0) / 5;
  const f = size / 112;
  return ARCFACE_TEMPLATE.map((p) => ({ x: (cx + (p.x - cx) * k) * f, y: (cy + (p.y - cy) * k) * f }));
}

/**
 * Aligned `size`² crops of the face under a condition, one per template scale. The face region
 * is first resampled by libvips (antialiased) so its eye distance is at most `PRESHRINK_FACTOR`
 * template eye distances, or the condition's eye distance when that is lower; each crop is then
 * warped onto the (scaled) ArcFace template with a similarity transform (no shear), bilinear, and
 * turned grayscale when the condition says so.
 */
export async function alignedCrops(a: FaceAnalysis, size: number, cond: EmbedCondition = NO_CONDITION, scales: readonly number[] = [1]): Promise<RgbImage[]> {
  const tIod = (TEMPLATE_EYE_DISTANCE * size) / 112;
  let target = Math.min(a.eyeDistance, PRESHRINK_FACTOR * tIod);
  if (cond.eyeDistance !== undefined) target = Math.min(target, cond.eyeDistance);
  let img = a.image;
  let lms = a.face.landmarks.map((p) => ({ x: p.x, y: p.y }));
  if (target < a.eyeDistance * 0.98) {
    // Region around the face big enough for the template's margins.
    const cx = lms.reduce((s, p) => s + p.x, 0) / 5, cy = lms.reduce((s, p) => s + p.y, 0) / 5;
    const half = Math.max(3 * a.eyeDistance, a.face.box.width, a.face.box.height);
    const x0 = Math.max(0, Math.floor(cx - half)), y0 = Math.max(0, Math.floor(cy - half));
    const x1 = Math.min(img.width, Math.ceil(cx + half)), y1 = Math.min(img.height, Math.ceil(cy + half));
    const region = cropRgb(img, x0, y0, x1 - x0, y1 - y0);
    const k = target / a.eyeDistance;
    img = await resampleRgb(region, Math.max(1, Math.round(region.width * k)), Math.max(1, Math.round(region.height * k)));
    const kx = img.width / region.width, ky = img.height / region.height;
    // pixel-centre convention of libvips resampling
    lms = lms.map((p) => ({ x: (p.x - x0 + 0.5) * kx - 0.5, y: (p.y - y0 + 0.5) * ky - 0.5 }));
  }
  return scales.map((k) => {
    const out = alignFace(img, lms, size, scaledTemplate(k, 112));
    return cond.grayscale ? toGrayRgb(out) : out;
  });
}
