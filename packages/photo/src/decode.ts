import sharp from "sharp";
import type { RgbImage } from "@gradphoto/vision";
import { PhotoError } from "./errors.js";
import type { PhotoSpec } from "./spec.js";

// libvips' operation cache (by default up to 50 MB and 20 open files) never hits here: every photo is
// decoded once. Off, it holds no decoded pixels between photos (peak RSS over 100 photos: see docs).
sharp.cache(false);

export type InputFormat = "jpeg" | "png" | "webp";

/** What the decoder learnt about the file before and while decoding it. */
export interface SourceInfo {
  format: InputFormat;
  bytes: number;
  /** upright size (after EXIF orientation), source pixels */
  width: number;
  height: number;
  orientation: number;
  /** libvips interpretation before conversion, e.g. srgb, cmyk, b-w, rgb16, grey16 */
  space: string;
  channels: number;
  depth: string;
  hasAlpha: boolean;
  progressive: boolean;
  hasIccProfile: boolean;
}

/** A decoded, upright, 8-bit sRGB working copy plus the factor back to source pixels. */
export interface Decoded {
  source: SourceInfo;
  image: RgbImage;
  /** working pixels per source pixel (≤ 1; shrink-on-load for speed) */
  scale: number;
}

const HEIF_BRANDS = new Set(["heic", "heix", "hevc", "hevx", "heim", "heis", "hevm", "hevs", "mif1", "msf1", "avif", "avis"]);

/** Identifies the container from its first bytes (never trusts a file name or MIME type). */
export function sniffFormat(buf: Uint8Array): InputFormat | "heif" | "gif" | "tiff" | "bmp" | "unknown" {
  const b = buf;
  if (b.length >= 3 && b[0] === 0xff && b[1] === 0xd8 && b[2] === 0xff) return "jpeg";
  if (b.length >= 8 && b[0] === 0x89 && b[1] === 0x50 && b[2] === 0x4e && b[3] === 0x47 && b[4] === 0x0d && b[5] === 0x0a && b[6] === 0x1a && b[7] === 0x0a) return "png";
  const ascii = (from: number, to: number) => String.fromCharCode(...b.subarray(from, to));
  if (b.length >= 12 && ascii(0, 4) === "RIFF" && ascii(8, 12) === "WEBP") return "webp";
  if (b.length >= 12 && ascii(4, 8) === "ftyp" && HEIF_BRANDS.has(ascii(8, 12))) return "heif";
  if (b.length >= 6 && (ascii(0, 6) === "GIF87a" || ascii(0, 6) === "GIF89a")) return "gif";
  if (b.length >= 4 && (ascii(0, 4) === "II*\0" || ascii(0, 4) === "MM\0*")) return "tiff";
  if (b.length >= 2 && ascii(0, 2) === "BM") return "bmp";
  return "unknown";
}

export interface DecodeOptions {
  /** longest side of the working copy; the decoder shrinks on load by a power of two to reach it */
  maxWorkSide?: number;
}

/**
 * Step 1: validate and decode. Byte cap and pixel cap are enforced from the header before any pixel
 * is decoded; EXIF orientation is applied; CMYK, 16-bit, palette and grayscale become 8-bit sRGB;
 * alpha is flattened onto white. HEIC/HEIF/AVIF, GIF, TIFF and BMP are refused; any libjpeg/libpng
 * warning (corrupt or truncated data) refuses the file rather than decoding garbage.
 */
export async function decodeImage(input: Uint8Array, spec: PhotoSpec, opts: DecodeOptions = {}): Promise<Decoded> {
  if (!input || input.length === 0) throw new PhotoError("INVALID_IMAGE", "文件为空，请重新选择照片");
  if (input.length > spec.input.maxBytes) {
    throw new PhotoError("IMAGE_TOO_LARGE", `文件过大（${(input.length / 1048576).toFixed(1)} MB），请上传不超过 ${(spec.input.maxBytes / 1048576).toFixed(0)} MB 的照片`);
  }
  const kind = sniffFormat(input);
  if (kind === "heif") throw new PhotoError("UNSUPPORTED_FORMAT", "不支持 HEIC/HEIF 格式，请在手机设置中选择“兼容性最佳”，或上传 JPG 照片");
  if (kind === "gif" || kind === "tiff" || kind === "bmp") throw new PhotoError("UNSUPPORTED_FORMAT", `不支持 ${kind.toUpperCase()} 格式，请上传 JPG、PNG 或 WebP 照片`);
  if (kind === "unknown") throw new PhotoError("INVALID_IMAGE", "文件不是有效的图片，请上传 JPG 照片");

  const buf = Buffer.isBuffer(input) ? input : Buffer.from(input.buffer, input.byteOffset, input.byteLength);
  let meta: sharp.Metadata;
  try {
    meta = await sharp(buf, { limitInputPixels: false, failOn: "none" }).metadata();
  } catch {
    throw new PhotoError("INVALID_IMAGE", "图片文件已损坏，无法读取，请重新拍摄或选择照片");
  }
  const w0 = meta.width ?? 0;
  const h0 = meta.height ?? 0;
  if (!w0 || !h0) throw new PhotoError("INVALID_IMAGE", "图片文件已损坏，无法读取尺寸");
  if (w0 * h0 > spec.input.maxPixels) {
    throw new PhotoError("IMAGE_TOO_LARGE", `图片像素过多（${w0}×${h0}），请上传不超过 ${Math.round(spec.input.maxPixels / 1e6)} 百万像素的照片`);
  }
  if ((meta.pages ?? 1) > 1 && kind !== "webp") throw new PhotoError("UNSUPPORTED_FORMAT", "不支持多页图片");
  const orientation = meta.orientation ?? 1;
  const swap = orientation >= 5 && orientation <= 8;
  const width = swap ? h0 : w0;
  const height = swap ? w0 : h0;

  // Shrink-on-load: the smallest power-of-two k (≤ 8) with max(width, height)/k ≤ maxWorkSide, and the
  // exact target size W/k × H/k, so libjpeg/libwebp scale while decoding and no resampling follows.
  const maxSide = opts.maxWorkSide ?? 2048;
  let k = 1;
  while (k < 8 && Math.max(width, height) / k > maxSide) k *= 2;
  const tw = Math.max(1, Math.round(width / k));
  const th = Math.max(1, Math.round(height / k));

  let data: Buffer;
  let info: sharp.OutputInfo;
  try {
    let p = sharp(buf, { limitInputPixels: spec.input.maxPixels, failOn: "warning", sequentialRead: true, pages: 1 })
      .timeout({ seconds: 20 })
      .rotate();
    if (k > 1) p = p.resize(tw, th, { fit: "fill", kernel: "linear", fastShrinkOnLoad: true });
    if (meta.hasAlpha) p = p.flatten({ background: { r: 255, g: 255, b: 255 } });
    ({ data, info } = await p.toColourspace("srgb").raw({ depth: "uchar" }).toBuffer({ resolveWithObject: true }));
  } catch (e) {
    const msg = String((e as Error)?.message ?? e);
    if (/pixel limit/i.test(msg)) throw new PhotoError("IMAGE_TOO_LARGE", "图片像素过多，请上传较小的照片");
    if (/timeout/i.test(msg)) throw new PhotoError("INVALID_IMAGE", "图片解码超时，请更换照片");
    throw new PhotoError("INVALID_IMAGE", "图片文件已损坏或不完整，无法读取，请重新拍摄或选择照片");
  }
  const image = toRgb(data, info.width, info.height, info.channels);
  return {
    source: {
      format: kind,
      bytes: input.length,
      width,
      height,
      orientation,
      space: meta.space ?? "unknown",
      channels: meta.channels ?? 3,
      depth: meta.depth ?? "uchar",
      hasAlpha: meta.hasAlpha ?? false,
      progressive: meta.isProgressive ?? false,
      hasIccProfile: !!meta.icc,
    },
    image,
    scale: info.width / width,
  };
}

function toRgb(data: Buffer, width: number, height: number, channels: number): RgbImage {
  if (channels === 3) return { data: new Uint8Array(data.buffer, data.byteOffset, data.byteLength), width, height };
  const out = new Uint8Array(width * height * 3);
  for (let i = 0, j = 0; i < width * height; i++, j += channels) {
    const v = data[j]!;
    out[i * 3] = v;
    out[i * 3 + 1] = channels >= 3 ? data[j + 1]! : v;
    out[i * 3 + 2] = channels >= 3 ? data[j + 2]! : v;
  }
  return { data: out, width, height };
}
