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

/** Resamples with libvips (Lanczos, antialiased when shrinking). */
export async function resampleRgb(img: RgbImage, width: number, height: number): Promise<RgbImage> {
  const { data, info } = await sharp(img.data, { raw: { width: img.width, height: img.height, channels: 3 } })
    .resize(width, height, { fit: "fill" })
    .raw()
    .toBuffer({ resolveWithObject: true });
  if (info.channels !== 3) throw new Error(`unexpected channel count ${info.channels}`);
  return { data: new Uint8Array(data.buffer, data.byteOffset, data.byteLength), width: info.width, height: info.height };
}
