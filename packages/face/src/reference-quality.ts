import type { DetectedFace, RgbImage } from "@gradphoto/vision";
import { resampleRgb } from "./image-ops.js";

/**
 * How usable an admission photo (录取照片) is for the comparison. Old admission photos are small,
 * grey, blurred and heavily compressed; a low score against such a reference may be the
 * reference's fault, not the graduate's, so the comparison records this with every result.
 */
export interface ReferenceQuality {
  /** width of the detected face box, source pixels */
  faceWidth: number;
  /** distance between the eye landmarks, source pixels */
  eyeDistance: number;
  /** the face region has (almost) no colour */
  grayscale: boolean;
  /** contrast-normalised Laplacian energy of the face at ≤ 100 px wide (higher is sharper) */
  sharpness: number;
  /** IJG quality estimated from the JPEG's luminance table; null when not a JPEG or unknown */
  jpegQuality: number | null;
  /** any of the reasons below holds */
  lowQuality: boolean;
  reasons: ReferenceQualityReason[];
}

export type ReferenceQualityReason = "SMALL_FACE" | "GRAYSCALE" | "BLURRY" | "HEAVY_COMPRESSION";

/**
 * Limits below which a reference counts as low quality. A face under 80 px wide (eye distance
 * ≈ 30 px, where the pipeline starts matching resolution) has lost detail the model uses.
 * Sharpness 1.5 is under every clean dev reference but 2 (5 % are below 2.05) and is what a
 * Gaussian blur of σ ≈ 2 px does to a 200 px face (measured: 4.8 → 1.8 on obama.jpg, 6.5 → 1.4 on
 * negan1.jpg). The degraded admission photo (150 px wide, grey, JPEG q40) trips small
 * face, grey and compression at once.
 */
export const REFERENCE_QUALITY_LIMITS = { minFaceWidth: 80, minSharpness: 1.5, minJpegQuality: 50 } as const;

const REASON_TEXT: Record<ReferenceQualityReason, string> = {
  SMALL_FACE: "人脸像素过少",
  GRAYSCALE: "黑白照片",
  BLURRY: "照片模糊",
  HEAVY_COMPRESSION: "压缩严重",
};

/** Chinese list of the reasons, e.g. "人脸像素过少、黑白照片". */
export function describeReasons(reasons: readonly ReferenceQualityReason[]): string {
  return reasons.map((r) => REASON_TEXT[r]).join("、");
}

export function referenceQuality(image: RgbImage, face: DetectedFace, eyeDistance: number, grayscale: boolean, bytes: Uint8Array | null): Promise<ReferenceQuality> {
  return faceSharpness(image, face).then((sharpness) => {
    const jpegQuality = bytes ? estimateJpegQuality(bytes) : null;
    const faceWidth = Math.round(face.box.width * 10) / 10;
    const L = REFERENCE_QUALITY_LIMITS;
    const reasons: ReferenceQualityReason[] = [];
    if (faceWidth < L.minFaceWidth) reasons.push("SMALL_FACE");
    if (grayscale) reasons.push("GRAYSCALE");
    if (sharpness < L.minSharpness) reasons.push("BLURRY");
    if (jpegQuality !== null && jpegQuality < L.minJpegQuality) reasons.push("HEAVY_COMPRESSION");
    return { faceWidth, eyeDistance: Math.round(eyeDistance * 10) / 10, grayscale, sharpness: Math.round(sharpness * 100) / 100, jpegQuality, lowQuality: reasons.length > 0, reasons };
  });
}

/**
 * Laplacian energy (mean |∇²L|) of the inner face, resampled to at most 100 px wide so that large
 * sharp faces and small ones are on one scale, divided by the luma standard deviation (so a dim or
 * low-contrast photo is not counted as blurred). Small faces are not upscaled: upscaling would
 * itself blur them.
 */
export async function faceSharpness(image: RgbImage, face: DetectedFace): Promise<number> {
  const b = face.box;
  const x0 = Math.max(0, Math.floor(b.x + b.width * 0.15)), y0 = Math.max(0, Math.floor(b.y + b.height * 0.15));
  const x1 = Math.min(image.width, Math.ceil(b.x + b.width * 0.85)), y1 = Math.min(image.height, Math.ceil(b.y + b.height * 0.85));
  let w = x1 - x0, h = y1 - y0;
  if (w < 5 || h < 5) return 0;
  let luma = new Float32Array(w * h);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      const o = ((y0 + y) * image.width + x0 + x) * 3;
      luma[y * w + x] = 0.299 * image.data[o]! + 0.587 * image.data[o + 1]! + 0.114 * image.data[o + 2]!;
    }
  }
  const k = Math.min(1, 70 / w); // the inner 70 % of a 100 px face
  if (k < 1) {
    const rgb = new Uint8Array(w * h * 3);
    for (let i = 0; i < luma.length; i++) rgb[i * 3] = rgb[i * 3 + 1] = rgb[i * 3 + 2] = Math.round(luma[i]!);
    const small = await resampleRgb({ data: rgb, width: w, height: h }, Math.max(5, Math.round(w * k)), Math.max(5, Math.round(h * k)));
    w = small.width;
    h = small.height;
    luma = new Float32Array(w * h);
    for (let i = 0; i < luma.length; i++) luma[i] = small.data[i * 3]!;
  }
  let mean = 0;
  for (const v of luma) mean += v;
  mean /= luma.length;
  let varSum = 0;
  for (const v of luma) varSum += (v - mean) ** 2;
  const sd = Math.sqrt(varSum / luma.length);
  if (sd < 1) return 0;
  let lap = 0, n = 0;
  for (let y = 1; y < h - 1; y++) {
    for (let x = 1; x < w - 1; x++) {
      const i = y * w + x;
      lap += Math.abs(4 * luma[i]! - luma[i - 1]! - luma[i + 1]! - luma[i - w]! - luma[i + w]!);
      n++;
    }
  }
  return n ? ((lap / n) * 100) / sd / 10 : 0;
}

/** IJG (libjpeg) standard luminance quantisation table, quality 50; only its sum is used. */
const STD_LUMA_SUM = [
  16, 11, 10, 16, 24, 40, 51, 61, 12, 12, 14, 19, 26, 58, 60, 55, 14, 13, 16, 24, 40, 57, 69, 56, 14, 17, 22, 29, 51, 87, 80, 62, 18, 22, 37, 56, 68, 109, 103, 77, 24, 35, 55, 64, 81,
  104, 113, 92, 49, 64, 78, 87, 103, 121, 120, 101, 72, 92, 95, 98, 112, 100, 103, 99,
].reduce((s, v) => s + v, 0);

/**
 * JPEG quality estimated from the first luminance quantisation table (DQT id 0): its sum against
 * the IJG table's gives libjpeg's scale factor S, and quality = (200 − S)/2 for S ≤ 100, else 5000/S.
 * Encoders that use their own tables get the IJG quality of similar coarseness. Null when the bytes
 * are not a JPEG or have no table 0.
 */
export function estimateJpegQuality(bytes: Uint8Array): number | null {
  if (bytes.length < 4 || bytes[0] !== 0xff || bytes[1] !== 0xd8) return null;
  let i = 2;
  while (i + 4 <= bytes.length) {
    if (bytes[i] !== 0xff) return null;
    const marker = bytes[i + 1]!;
    if (marker === 0xd8 || (marker >= 0xd0 && marker <= 0xd7) || marker === 0x01 || marker === 0xff) {
      i += marker === 0xff ? 1 : 2;
      continue;
    }
    if (marker === 0xda || marker === 0xd9) return null; // start of scan: no table 0 before it
    const len = (bytes[i + 2]! << 8) | bytes[i + 3]!;
    if (marker === 0xdb) {
      let p = i + 4;
      const end = Math.min(bytes.length, i + 2 + len);
      while (p < end) {
        const pq = bytes[p]! >> 4, tq = bytes[p]! & 15;
        const n = pq ? 128 : 64;
        if (p + 1 + n > end) return null;
        if (tq === 0) {
          let sum = 0;
          for (let k = 0; k < 64; k++) sum += pq ? (bytes[p + 1 + 2 * k]! << 8) | bytes[p + 2 + 2 * k]! : bytes[p + 1 + k]!;
          const s = (sum * 100) / STD_LUMA_SUM;
          const q = s <= 100 ? (200 - s) / 2 : 5000 / s;
          return Math.max(1, Math.min(100, Math.round(q)));
        }
        p += 1 + n;
      }
    }
    i += 2 + len;
  }
  return null;
}
