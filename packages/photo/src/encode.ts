import sharp from "sharp";
import type { RgbImage } from "@gradphoto/vision";

export interface EncodedJpeg {
  data: Buffer;
  quality: number;
  bytes: number;
  /** false when the KB range could not be met with quality ≥ the minimum (the file is never padded) */
  sizeOk: boolean;
  /** why the range was missed */
  sizeNote?: string;
}

/** Baseline JPEG (SOF0), 4:2:0, no metadata except a JFIF header with the density. */
export async function encodeJpeg(img: RgbImage, quality: number, dpi: number, opts: { trellis?: boolean } = {}): Promise<Buffer> {
  const buf = await sharp(img.data, { raw: { width: img.width, height: img.height, channels: 3 } })
    .jpeg({ quality, progressive: false, mozjpeg: false, optimiseCoding: true, chromaSubsampling: "4:2:0", trellisQuantisation: !!opts.trellis, overshootDeringing: false })
    .toBuffer();
  return setJfifDensity(buf, dpi);
}

/** Writes (or inserts) the JFIF APP0 segment with the density in dots per inch. */
export function setJfifDensity(jpeg: Buffer, dpi: number): Buffer {
  if (jpeg[0] !== 0xff || jpeg[1] !== 0xd8) throw new Error("not a JPEG");
  if (jpeg[2] === 0xff && jpeg[3] === 0xe0 && jpeg.toString("latin1", 6, 11) === "JFIF\0") {
    const out = Buffer.from(jpeg);
    out[13] = 1; // units: dots per inch
    out.writeUInt16BE(dpi, 14);
    out.writeUInt16BE(dpi, 16);
    return out;
  }
  const app0 = Buffer.from([0xff, 0xe0, 0x00, 0x10, 0x4a, 0x46, 0x49, 0x46, 0x00, 0x01, 0x01, 0x01, dpi >> 8, dpi & 255, dpi >> 8, dpi & 255, 0x00, 0x00]);
  return Buffer.concat([jpeg.subarray(0, 2), app0, jpeg.subarray(2)]);
}

/**
 * Step 9: the highest JPEG quality (≥ minQuality) whose file fits [minKb, maxKb], found by a predicted
 * search on the quality (file size grows with quality; see searchQuality). Never pads: if even quality 100 is below minKb, or
 * minQuality is above maxKb, the closest file is returned with sizeOk = false and a note.
 */
export async function encodeToSize(img: RgbImage, o: { minKb: number; maxKb: number; minQuality: number; dpi: number }): Promise<EncodedJpeg> {
  const first = await searchQuality(img, o, false);
  // busy pictures (patterned clothes): trellis quantisation (still baseline) saves 5–10 % at the same quality
  if (!first.sizeOk && first.quality === o.minQuality && first.bytes > o.maxKb * 1024) {
    const second = await searchQuality(img, o, true);
    if (second.sizeOk || second.bytes < first.bytes) return second;
  }
  return first;
}

/** Lagrange interpolation through up to three (x, y) points. */
function lagrange(pts: ReadonlyArray<readonly [number, number]>, x: number): number {
  let y = 0;
  for (let i = 0; i < pts.length; i++) {
    let l = 1;
    for (let j = 0; j < pts.length; j++) if (j !== i) l *= (x - pts[j]![0]) / (pts[i]![0] - pts[j]![0] || 1);
    y += l * pts[i]![1];
  }
  return y;
}

/**
 * Highest quality q in [minQuality, 100] with size(q) ≤ maxKb. File size grows with quality, and its
 * logarithm is a smooth convex curve in q, so instead of a plain bisection (7–8 encodes in a row) it
 * encodes q = 70, 80, 90 at once (libvips threads), predicts the answer from a parabola through the
 * nearest known points, and encodes the prediction and its two neighbours at once: usually 2 rounds.
 */
async function searchQuality(img: RgbImage, o: { minKb: number; maxKb: number; minQuality: number; dpi: number }, trellis: boolean): Promise<EncodedJpeg> {
  const lo = o.minKb * 1024, hi = o.maxKb * 1024;
  const minQ = Math.max(1, Math.min(100, o.minQuality));
  const cache = new Map<number, Buffer>();
  const encodeAll = async (qs: number[]) => {
    const todo = [...new Set(qs.filter((q) => q >= minQ && q <= 100 && !cache.has(q)))];
    const bufs = await Promise.all(todo.map((q) => encodeJpeg(img, q, o.dpi, { trellis })));
    todo.forEach((q, i) => cache.set(q, bufs[i]!));
  };
  // bracket: a = highest q known to fit (size ≤ hi), b = lowest q above it known not to fit
  const bracket = () => {
    let a = -1, b = 101;
    for (const [q, buf] of cache) if (buf.length <= hi) a = Math.max(a, q);
    for (const [q, buf] of cache) if (buf.length > hi && q > a) b = Math.min(b, q);
    return { a, b };
  };
  // log size is smooth and convex in q: a parabola through the three nearest known points predicts the
  // last quality that fits to within a step or two
  const predict = (a: number, b: number): number => {
    const pts = [...cache].map(([q, buf]) => [q, Math.log(buf.length)] as const).sort((x, y) => Math.abs(x[0] - (a + b) / 2) - Math.abs(y[0] - (a + b) / 2)).slice(0, 3);
    const target = Math.log(hi);
    let q = a + 1;
    for (let c = a + 1; c < b; c++) if (lagrange(pts, c) <= target) q = c;
    return q;
  };
  await encodeAll([70, 80, 90].map((q) => Math.max(minQ, q)));
  for (let round = 0; round < 12; round++) {
    const { a, b } = bracket();
    if (a >= 0 && b === a + 1) break;
    if (a === 100) break;
    if (a < 0 && cache.has(minQ)) break; // even the lowest quality is too big
    let next: number[];
    if (b > 100) next = [100, 99]; // everything so far fits: is 100 fine too?
    else if (a < 0) next = [minQ, Math.max(minQ, Math.min(b - 1, Math.round((minQ + b) / 2)))];
    else {
      const q = predict(a, b);
      next = [q - 1, q, q + 1].filter((x) => x > a && x < b);
    }
    await encodeAll(next);
  }
  const { a } = bracket();
  if (a < 0) {
    const bottom = cache.get(minQ) ?? (await encodeJpeg(img, minQ, o.dpi, { trellis }));
    return { data: bottom, quality: minQ, bytes: bottom.length, sizeOk: false, sizeNote: `质量 ${minQ} 时文件仍有 ${(bottom.length / 1024).toFixed(1)} KB，超过 ${o.maxKb} KB` };
  }
  const best = cache.get(a)!;
  if (best.length >= lo) return { data: best, quality: a, bytes: best.length, sizeOk: true };
  if (a === 100) return { data: best, quality: 100, bytes: best.length, sizeOk: false, sizeNote: `最高质量下文件仅 ${(best.length / 1024).toFixed(1)} KB，低于要求的 ${o.minKb} KB（不填充文件）` };
  return { data: best, quality: a, bytes: best.length, sizeOk: false, sizeNote: `无法在 ${o.minKb}–${o.maxKb} KB 范围内编码（质量 ${a}: ${(best.length / 1024).toFixed(1)} KB）` };
}
