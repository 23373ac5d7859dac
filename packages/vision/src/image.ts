import sharp from "sharp";

/** Interleaved 8-bit RGB pixels, row-major. */
export interface RgbImage {
  data: Uint8Array;
  width: number;
  height: number;
}

/** Decodes any sharp-readable image to RGB, honouring EXIF orientation, optionally shrunk to fit `maxSide`. */
export async function decodeRgb(input: Buffer | Uint8Array, opts: { maxSide?: number; limitInputPixels?: number } = {}): Promise<RgbImage> {
  let p = sharp(input, { limitInputPixels: opts.limitInputPixels ?? 100_000_000, failOn: "error" }).rotate();
  if (opts.maxSide) p = p.resize({ width: opts.maxSide, height: opts.maxSide, fit: "inside", withoutEnlargement: true });
  const { data, info } = await p.removeAlpha().toColourspace("srgb").raw().toBuffer({ resolveWithObject: true });
  return toRgb(data, info.width, info.height, info.channels);
}

/** Resizes an RGB image (bilinear-ish via libvips) to exactly width×height. */
export async function resizeRgb(img: RgbImage, width: number, height: number): Promise<RgbImage> {
  const { data, info } = await sharp(img.data, { raw: { width: img.width, height: img.height, channels: 3 } })
    .resize(width, height, { fit: "fill", kernel: "linear" })
    .raw()
    .toBuffer({ resolveWithObject: true });
  return toRgb(data, info.width, info.height, info.channels);
}

/** Crops a rectangle (clamped to the image) without resampling. */
export function cropRgb(img: RgbImage, x: number, y: number, w: number, h: number): RgbImage {
  const x0 = Math.max(0, Math.floor(x));
  const y0 = Math.max(0, Math.floor(y));
  const x1 = Math.min(img.width, Math.ceil(x + w));
  const y1 = Math.min(img.height, Math.ceil(y + h));
  const cw = Math.max(1, x1 - x0);
  const ch = Math.max(1, y1 - y0);
  const out = new Uint8Array(cw * ch * 3);
  for (let row = 0; row < ch; row++) {
    const src = ((y0 + row) * img.width + x0) * 3;
    out.set(img.data.subarray(src, src + cw * 3), row * cw * 3);
  }
  return { data: out, width: cw, height: ch };
}

/** Encodes RGB to PNG (debugging, contact sheets). */
export function rgbToPng(img: RgbImage): Promise<Buffer> {
  return sharp(img.data, { raw: { width: img.width, height: img.height, channels: 3 } }).png().toBuffer();
}

function toRgb(data: Buffer, width: number, height: number, channels: number): RgbImage {
  if (channels === 3) return { data: new Uint8Array(data.buffer, data.byteOffset, data.byteLength), width, height };
  // Grayscale inputs come back with one channel: expand so every consumer sees RGB.
  const out = new Uint8Array(width * height * 3);
  for (let i = 0, j = 0; i < width * height; i++, j += channels) {
    const v = data[j]!;
    out[i * 3] = v;
    out[i * 3 + 1] = channels >= 3 ? data[j + 1]! : v;
    out[i * 3 + 2] = channels >= 3 ? data[j + 2]! : v;
  }
  return { data: out, width, height };
}
