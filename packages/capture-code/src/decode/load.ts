import sharp from "sharp";
import { CaptureCodeError } from "../errors.js";
import type { Gray } from "./gray.js";

export interface ImageLimits {
  /** Largest accepted file, bytes. */
  maxBytes: number;
  /** Largest accepted image, pixels (checked from the header before decoding). */
  maxPixels: number;
  /** Smallest accepted side, pixels: a version-1 code needs 21 modules. */
  minSide: number;
}

export const DEFAULT_LIMITS: ImageLimits = {
  maxBytes: 20 * 1024 * 1024,
  maxPixels: 50_000_000,
  minSide: 21,
};

const ACCEPTED_FORMATS = new Set(["jpeg", "png", "webp", "gif", "tiff", "heif", "avif"]);

export interface ImageInfo {
  format: string;
  /** Size after EXIF orientation. */
  width: number;
  height: number;
  orientation: number;
}

function sharpOf(bytes: Uint8Array, limits: ImageLimits): sharp.Sharp {
  return sharp(bytes, { limitInputPixels: limits.maxPixels, failOn: "none", pages: 1 });
}

/** Read only the header: format, size and EXIF orientation; enforce the limits. */
export async function probeImage(bytes: Uint8Array, limits: ImageLimits = DEFAULT_LIMITS): Promise<ImageInfo> {
  if (bytes.length === 0) throw new CaptureCodeError("INVALID_IMAGE", "empty input");
  if (bytes.length > limits.maxBytes) {
    throw new CaptureCodeError("IMAGE_TOO_LARGE", `${bytes.length} bytes > ${limits.maxBytes}`);
  }
  let meta: sharp.Metadata;
  try {
    meta = await sharp(bytes, { limitInputPixels: false, pages: 1 }).metadata();
  } catch (e) {
    throw new CaptureCodeError("INVALID_IMAGE", e instanceof Error ? e.message : String(e), { cause: e });
  }
  if (!meta.format || !ACCEPTED_FORMATS.has(meta.format) || !meta.width || !meta.height) {
    throw new CaptureCodeError("INVALID_IMAGE", `unsupported format ${meta.format ?? "unknown"}`);
  }
  if (meta.width * meta.height > limits.maxPixels) {
    throw new CaptureCodeError("IMAGE_TOO_LARGE", `${meta.width}×${meta.height} px > ${limits.maxPixels} px`);
  }
  if (Math.min(meta.width, meta.height) < limits.minSide) {
    throw new CaptureCodeError("IMAGE_TOO_SMALL", `${meta.width}×${meta.height} px`);
  }
  const orientation = meta.orientation ?? 1;
  const swap = orientation >= 5 && orientation <= 8;
  return {
    format: meta.format,
    width: swap ? meta.height : meta.width,
    height: swap ? meta.width : meta.height,
    orientation,
  };
}

/**
 * Decode to grey, upright (EXIF orientation applied), alpha flattened on white, resized by `scale`
 * (JPEGs shrink on load, which makes large photos cheap to open at reduced size).
 */
export async function loadGray(bytes: Uint8Array, info: ImageInfo, scale: number, limits: ImageLimits = DEFAULT_LIMITS): Promise<Gray> {
  const width = Math.max(1, Math.round(info.width * scale));
  const height = Math.max(1, Math.round(info.height * scale));
  let pipeline = sharpOf(bytes, limits).rotate().flatten({ background: "#ffffff" });
  if (width !== info.width || height !== info.height) {
    pipeline = pipeline.resize(width, height, { fit: "fill", kernel: scale < 1 ? "linear" : "cubic" });
  }
  let out: { data: Buffer; info: sharp.OutputInfo };
  try {
    out = await pipeline.grayscale().raw().toBuffer({ resolveWithObject: true });
  } catch (e) {
    throw new CaptureCodeError("INVALID_IMAGE", e instanceof Error ? e.message : String(e), { cause: e });
  }
  const { data, info: oi } = out;
  if (oi.channels === 1) return { data: new Uint8Array(data.buffer, data.byteOffset, data.length), width: oi.width, height: oi.height };
  // Defensive: keep the first channel if libvips returned more.
  const n = oi.width * oi.height;
  const g = new Uint8Array(n);
  for (let i = 0; i < n; i++) g[i] = data[i * oi.channels]!;
  return { data: g, width: oi.width, height: oi.height };
}
