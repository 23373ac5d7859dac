import sharp from "sharp";

/** An 8-bit single-channel image, row-major. */
export interface Gray {
  readonly data: Uint8Array;
  readonly width: number;
  readonly height: number;
}

/** Expand grey to the RGBA layout jsQR expects (it reads r, g and b only). */
export function toRgba(img: Gray): Uint8ClampedArray {
  const n = img.width * img.height;
  const rgba = new Uint8ClampedArray(n * 4);
  const src = img.data;
  if (LITTLE_ENDIAN) {
    // One 32-bit store per pixel: 0xAABBGGRR.
    const px = new Uint32Array(rgba.buffer, rgba.byteOffset, n);
    for (let i = 0; i < n; i++) px[i] = 0xff000000 | (src[i]! * 0x010101);
  } else {
    for (let i = 0, j = 0; i < n; i++, j += 4) {
      const v = src[i]!;
      rgba[j] = v;
      rgba[j + 1] = v;
      rgba[j + 2] = v;
      rgba[j + 3] = 255;
    }
  }
  return rgba;
}

const LITTLE_ENDIAN = new Uint8Array(new Uint32Array([1]).buffer)[0] === 1;

export function invert(img: Gray): Gray {
  const src = img.data;
  const data = new Uint8Array(src.length);
  for (let i = 0; i < src.length; i++) data[i] = 255 - src[i]!;
  return { data, width: img.width, height: img.height };
}

/** Grey-level histogram statistics: mean and the given low/high percentiles. */
export function stats(img: Gray, lowPct = 0.01, highPct = 0.99): { mean: number; low: number; high: number } {
  const hist = new Uint32Array(256);
  const src = img.data;
  // Subsample large images; the histogram is only a guide.
  const step = src.length > 4_000_000 ? 3 : 1;
  let count = 0;
  let sum = 0;
  for (let i = 0; i < src.length; i += step) {
    const v = src[i]!;
    hist[v]!++;
    sum += v;
    count++;
  }
  const lowCount = count * lowPct;
  const highCount = count * highPct;
  let low = 0;
  let high = 255;
  let acc = 0;
  let lowSet = false;
  for (let v = 0; v < 256; v++) {
    acc += hist[v]!;
    if (!lowSet && acc > lowCount) {
      low = v;
      lowSet = true;
    }
    if (acc >= highCount) {
      high = v;
      break;
    }
  }
  return { mean: count ? sum / count : 0, low, high };
}

/** Linear contrast stretch so that [low, high] maps onto [0, 255]. */
export function stretch(img: Gray, low: number, high: number): Gray {
  const src = img.data;
  const data = new Uint8Array(src.length);
  const range = Math.max(1, high - low);
  const lut = new Uint8Array(256);
  for (let v = 0; v < 256; v++) lut[v] = Math.max(0, Math.min(255, Math.round(((v - low) * 255) / range)));
  for (let i = 0; i < src.length; i++) data[i] = lut[src[i]!]!;
  return { data, width: img.width, height: img.height };
}

export interface Rect {
  left: number;
  top: number;
  width: number;
  height: number;
}

/** Clamp a rectangle to the image and round it to whole pixels. */
export function clampRect(r: Rect, width: number, height: number): Rect | null {
  const left = Math.max(0, Math.floor(r.left));
  const top = Math.max(0, Math.floor(r.top));
  const right = Math.min(width, Math.ceil(r.left + r.width));
  const bottom = Math.min(height, Math.ceil(r.top + r.height));
  if (right - left < 8 || bottom - top < 8) return null;
  return { left, top, width: right - left, height: bottom - top };
}

/** Crop (optional) and resize a grey image with libvips. */
export async function cropResize(img: Gray, rect: Rect | null, scale: number): Promise<Gray> {
  const region = rect ?? { left: 0, top: 0, width: img.width, height: img.height };
  const width = Math.max(1, Math.round(region.width * scale));
  const height = Math.max(1, Math.round(region.height * scale));
  let pipeline = sharp(img.data, { raw: { width: img.width, height: img.height, channels: 1 } });
  if (rect) pipeline = pipeline.extract(region);
  if (width !== region.width || height !== region.height) {
    pipeline = pipeline.resize(width, height, { fit: "fill", kernel: scale >= 1 ? "cubic" : "linear" });
  }
  const { data, info } = await pipeline.extractChannel(0).raw().toBuffer({ resolveWithObject: true });
  if (info.channels !== 1) throw new Error(`expected 1 channel, got ${info.channels}`);
  return { data: new Uint8Array(data.buffer, data.byteOffset, data.length), width: info.width, height: info.height };
}

/** Rotate a grey image by an arbitrary angle (degrees), padding with the image's light level. */
export async function rotate(img: Gray, degrees: number, background: number): Promise<Gray> {
  const { data, info } = await sharp(img.data, { raw: { width: img.width, height: img.height, channels: 1 } })
    .rotate(degrees, { background: { r: background, g: background, b: background } })
    .extractChannel(0)
    .raw()
    .toBuffer({ resolveWithObject: true });
  return { data: new Uint8Array(data.buffer, data.byteOffset, data.length), width: info.width, height: info.height };
}
