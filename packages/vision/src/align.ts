import type { Point } from "./detect.js";
import type { RgbImage } from "./image.js";

/** ArcFace 112×112 five-point template (right eye, left eye, nose, right mouth, left mouth). */
export const ARCFACE_TEMPLATE: readonly Point[] = [
  { x: 38.2946, y: 51.6963 },
  { x: 73.5318, y: 51.5014 },
  { x: 56.0252, y: 71.7366 },
  { x: 41.5493, y: 92.3655 },
  { x: 70.7299, y: 92.2041 },
];

/** x' = a·x − b·y + tx, y' = b·x + a·y + ty (rotation, uniform scale, translation: no shear). */
export interface Similarity {
  a: number;
  b: number;
  tx: number;
  ty: number;
}

/** Least-squares similarity from `src` to `dst` (Umeyama without reflection). */
export function fitSimilarity(src: readonly Point[], dst: readonly Point[]): Similarity {
  const n = src.length;
  let sx = 0, sy = 0, dx = 0, dy = 0;
  for (let i = 0; i < n; i++) {
    sx += src[i]!.x; sy += src[i]!.y; dx += dst[i]!.x; dy += dst[i]!.y;
  }
  sx /= n; sy /= n; dx /= n; dy /= n;
  let num1 = 0, num2 = 0, den = 0;
  for (let i = 0; i < n; i++) {
    const px = src[i]!.x - sx, py = src[i]!.y - sy;
    const qx = dst[i]!.x - dx, qy = dst[i]!.y - dy;
    num1 += px * qx + py * qy;
    num2 += px * qy - py * qx;
    den += px * px + py * py;
  }
  const a = num1 / (den || 1);
  const b = num2 / (den || 1);
  return { a, b, tx: dx - (a * sx - b * sy), ty: dy - (b * sx + a * sy) };
}

/**
 * Warps `img` so that `landmarks` land on the template, output size×size RGB, bilinear sampling
 * (inverse mapping), border pixels replicated.
 */
export function alignFace(img: RgbImage, landmarks: readonly Point[], size = 112, template: readonly Point[] = ARCFACE_TEMPLATE): RgbImage {
  const k = size / 112;
  const dst = template.map((p) => ({ x: p.x * k, y: p.y * k }));
  const t = fitSimilarity(landmarks, dst);
  // inverse of [a -b; b a] is [a b; -b a] / (a²+b²)
  const det = t.a * t.a + t.b * t.b || 1;
  const ia = t.a / det, ib = -t.b / det;
  const out = new Uint8Array(size * size * 3);
  const { width: W, height: H, data } = img;
  for (let y = 0; y < size; y++) {
    for (let x = 0; x < size; x++) {
      const u = x - t.tx, v = y - t.ty;
      const srcX = ia * u - ib * v;
      const srcY = ib * u + ia * v;
      const x0 = Math.floor(srcX), y0 = Math.floor(srcY);
      const fx = srcX - x0, fy = srcY - y0;
      const cx0 = Math.min(W - 1, Math.max(0, x0)), cx1 = Math.min(W - 1, Math.max(0, x0 + 1));
      const cy0 = Math.min(H - 1, Math.max(0, y0)), cy1 = Math.min(H - 1, Math.max(0, y0 + 1));
      const o = (y * size + x) * 3;
      for (let c = 0; c < 3; c++) {
        const p00 = data[(cy0 * W + cx0) * 3 + c]!, p01 = data[(cy0 * W + cx1) * 3 + c]!;
        const p10 = data[(cy1 * W + cx0) * 3 + c]!, p11 = data[(cy1 * W + cx1) * 3 + c]!;
        out[o + c] = Math.round((p00 * (1 - fx) + p01 * fx) * (1 - fy) + (p10 * (1 - fx) + p11 * fx) * fy);
      }
    }
  }
  return { data: out, width: size, height: size };
}
