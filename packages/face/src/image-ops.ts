import sharp from "sharp";
import type { RgbImage } from "@gradphoto/vision";

/**
 * Mean absolute chroma (|R−G| + |G−B|) / 2 over a rectangle, sampled on a grid. A decoded
 * grayscale photo gives 0; JPEG-compressed grayscale saved as colour gives about 1.
 */
export function meanChroma(img: RgbImage, rect?: { x: number; y: number; width: number; height: number }): number {
  const x0 = Math.max(0, Math.floor(rect?.x ?? 0));
  const y0 = Math.max(0, Math.floor(rect?.y ?? 0));
  const x1 = Math.min(img.width, Math.ceil(rect ? rect.x + rect.width : img.width));
  const y1 = Math.min(img.height, Math.ceil(rect ? rect.y + rect.height : img.height));
  const step = Math.max(1, Math.floor(Math.sqrt(((x1 - x0) * (y1 - y0)) / 4096)));
  let sum = 0, n = 0;
  for (let y = y0; y < y1; y += step) {
    for (let x = x0; x < x1; x += step) {
      const o = (y * img.width + x) * 3;
      const r = img.data[o]!, g = img.data[o + 1]!, b = img.data[o + 2]!;
      sum += (Math.abs(r - g) + Math.abs(g - b)) / 2;
      n++;
    }
  }
  return n ? sum / n : 0;
}

/** Luma (BT.601) replicated into three channels. */
export function toGrayRgb(img: RgbImage): RgbImage {
  const out = new Uint8Array(img.data.length);
  for (let i = 0; i < img.data.length; i += 3) {
    const v = Math.round(0.299 * img.data[i]! + 0.587 * img.data[i + 1]! + 0.114 * img.data[i + 2]!);
    out[i] = v;
    out[i + 1] = v;
    out[i + 2] = v;
  }
  return { data: out, width: img.width, height: img.height };
}

/** Resamples with libvips (antialiased when shrinking), optional JPEG round trip at `jpegQuality`. */
export async function resampleRgb(img: RgbImage, width: number, height: number, jpegQuality?: number): Promise<RgbImage> {
  let p = sharp(img.data, { raw: { width: img.width, height: img.height, channels: 3 } });
  if (width !== img.width || height !== img.height) p = p.resize(width, height, { fit: "fill" });
  if (jpegQuality !== undefined) {
    const jpg = await p.jpeg({ quality: jpegQuality, chromaSubsampling: "4:2:0" }).toBuffer();
    p = sharp(jpg);
  }
  const { data, info } = await p.removeAlpha().raw().toBuffer({ resolveWithObject: true });
  if (info.channels !== 3) throw new Error(`unexpected channel count ${info.channels}`);
  return { data: new Uint8Array(data.buffer, data.byteOffset, data.byteLength), width: info.width, height: info.height };
}

/**
 * Estimates the IJG quality (1–100) a baseline JPEG was saved with, from its luminance
 * quantisation table (inverse of libjpeg's table scaling). Undefined for non-JPEG input or when
 * no table is found.
 */
export function estimateJpegQuality(buf: Uint8Array): number | undefined {
  if (buf.length < 4 || buf[0] !== 0xff || buf[1] !== 0xd8) return undefined;
  let i = 2;
  while (i + 4 <= buf.length) {
    if (buf[i] !== 0xff) return undefined;
    const marker = buf[i + 1]!;
    if (marker === 0xd9 || marker === 0xda) return undefined; // end of image / start of scan
    const len = (buf[i + 2]! << 8) | buf[i + 3]!;
    if (marker === 0xdb) {
      let p = i + 4;
      const end = i + 2 + len;
      while (p < end) {
        const pq = buf[p]! >> 4, tq = buf[p]! & 15;
        const n = pq ? 128 : 64;
        if (tq === 0) {
          let ratio = 0;
          for (let k = 0; k < 64; k++) {
            const q = pq ? (buf[p + 1 + 2 * k]! << 8) | buf[p + 2 + 2 * k]! : buf[p + 1 + k]!;
            ratio += q / STD_LUMA_ZIGZAG[k]!;
          }
          const scale = (ratio / 64) * 100; // libjpeg: scale = q<50 ? 5000/q : 200-2q (percent)
          const quality = scale <= 100 ? (200 - scale) / 2 : 5000 / scale;
          return Math.max(1, Math.min(100, Math.round(quality)));
        }
        p += 1 + n;
      }
    }
    i += 2 + len;
  }
  return undefined;
}

/** libjpeg's standard luminance table in zig-zag order (the order DQT stores it). */
const STD_LUMA_ZIGZAG = [
  16, 11, 12, 14, 12, 10, 16, 14, 13, 14, 18, 17, 16, 19, 24, 40, 26, 24, 22, 22, 24, 49, 35, 37, 29, 40, 58, 51, 61, 60, 57, 51, 56, 55, 64, 72, 92, 78, 64, 68,
  87, 69, 55, 56, 80, 109, 81, 87, 95, 98, 103, 104, 103, 62, 77, 113, 121, 112, 100, 120, 92, 101, 103, 99,
];
