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
 * Step 9: the highest JPEG quality (≥ minQuality) whose file fits [minKb, maxKb], found by binary search
 * on the quality (file size grows with quality). Never pads: if even quality 100 is below minKb, or
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

async function searchQuality(img: RgbImage, o: { minKb: number; maxKb: number; minQuality: number; dpi: number }, trellis: boolean): Promise<EncodedJpeg> {
  const lo = o.minKb * 1024, hi = o.maxKb * 1024;
  const cache = new Map<number, Buffer>();
  const enc = async (q: number) => {
    let b = cache.get(q);
    if (!b) cache.set(q, (b = await encodeJpeg(img, q, o.dpi, { trellis })));
    return b;
  };
  const top = await enc(100);
  if (top.length <= hi) {
    if (top.length >= lo) return { data: top, quality: 100, bytes: top.length, sizeOk: true };
    return { data: top, quality: 100, bytes: top.length, sizeOk: false, sizeNote: `最高质量下文件仅 ${(top.length / 1024).toFixed(1)} KB，低于要求的 ${o.minKb} KB（不填充文件）` };
  }
  const bottom = await enc(o.minQuality);
  if (bottom.length > hi) {
    return { data: bottom, quality: o.minQuality, bytes: bottom.length, sizeOk: false, sizeNote: `质量 ${o.minQuality} 时文件仍有 ${(bottom.length / 1024).toFixed(1)} KB，超过 ${o.maxKb} KB` };
  }
  // largest q in [minQuality, 99] with size ≤ hi
  let a = o.minQuality, b = 100; // size(a) ≤ hi < size(b)
  while (b - a > 1) {
    const m = (a + b) >> 1;
    if ((await enc(m)).length <= hi) a = m;
    else b = m;
  }
  const best = await enc(a);
  if (best.length >= lo) return { data: best, quality: a, bytes: best.length, sizeOk: true };
  return { data: best, quality: a, bytes: best.length, sizeOk: false, sizeNote: `无法在 ${o.minKb}–${o.maxKb} KB 范围内编码（质量 ${a}: ${(best.length / 1024).toFixed(1)} KB）` };
}
