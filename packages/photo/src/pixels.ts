import sharp from "sharp";
import type { RgbImage } from "@gradphoto/vision";

/** Axis-aligned rectangle in pixel coordinates (floats allowed). */
export interface Rect {
  x: number;
  y: number;
  w: number;
  h: number;
}

/** A single-channel float image. */
export interface FloatImage {
  data: Float32Array;
  width: number;
  height: number;
}

/**
 * Resamples `rect` of `img` to outW×outH. Downscaling averages the source footprint (area filter),
 * upscaling is bilinear; samples outside the image repeat the edge pixel.
 */
export function sampleRect(img: RgbImage, rect: Rect, outW: number, outH: number): RgbImage {
  const out = new Uint8Array(outW * outH * 3);
  const sx = rect.w / outW;
  const sy = rect.h / outH;
  const { width: W, height: H, data } = img;
  if (sx > 1.25 || sy > 1.25) {
    // area average over an integer footprint
    for (let oy = 0; oy < outH; oy++) {
      const y0 = rect.y + oy * sy;
      const ya = Math.floor(y0);
      const yb = Math.max(ya + 1, Math.floor(y0 + sy));
      for (let ox = 0; ox < outW; ox++) {
        const x0 = rect.x + ox * sx;
        const xa = Math.floor(x0);
        const xb = Math.max(xa + 1, Math.floor(x0 + sx));
        let r = 0, g = 0, b = 0, n = 0;
        if (xa >= 0 && xb <= W && ya >= 0 && yb <= H) {
          // footprint inside the image (the usual case): no clamping per pixel
          for (let y = ya; y < yb; y++) {
            for (let i = (y * W + xa) * 3, e = (y * W + xb) * 3; i < e; i += 3) {
              r += data[i]!; g += data[i + 1]!; b += data[i + 2]!;
            }
          }
          n = (xb - xa) * (yb - ya);
        } else {
          for (let y = ya; y < yb; y++) {
            const cy = y < 0 ? 0 : y >= H ? H - 1 : y;
            const row = cy * W;
            for (let x = xa; x < xb; x++) {
              const cx = x < 0 ? 0 : x >= W ? W - 1 : x;
              const i = (row + cx) * 3;
              r += data[i]!; g += data[i + 1]!; b += data[i + 2]!; n++;
            }
          }
        }
        const o = (oy * outW + ox) * 3;
        out[o] = (r / n + 0.5) | 0; out[o + 1] = (g / n + 0.5) | 0; out[o + 2] = (b / n + 0.5) | 0;
      }
    }
    return { data: out, width: outW, height: outH };
  }
  for (let oy = 0; oy < outH; oy++) {
    const fy = rect.y + (oy + 0.5) * sy - 0.5;
    let y0 = Math.floor(fy);
    const ty = fy - y0;
    let y1 = y0 + 1;
    y0 = y0 < 0 ? 0 : y0 >= H ? H - 1 : y0;
    y1 = y1 < 0 ? 0 : y1 >= H ? H - 1 : y1;
    for (let ox = 0; ox < outW; ox++) {
      const fx = rect.x + (ox + 0.5) * sx - 0.5;
      let x0 = Math.floor(fx);
      const tx = fx - x0;
      let x1 = x0 + 1;
      x0 = x0 < 0 ? 0 : x0 >= W ? W - 1 : x0;
      x1 = x1 < 0 ? 0 : x1 >= W ? W - 1 : x1;
      const i00 = (y0 * W + x0) * 3, i01 = (y0 * W + x1) * 3, i10 = (y1 * W + x0) * 3, i11 = (y1 * W + x1) * 3;
      const o = (oy * outW + ox) * 3;
      for (let c = 0; c < 3; c++) {
        const v = (data[i00 + c]! * (1 - tx) + data[i01 + c]! * tx) * (1 - ty) + (data[i10 + c]! * (1 - tx) + data[i11 + c]! * tx) * ty;
        out[o + c] = (v + 0.5) | 0;
      }
    }
  }
  return { data: out, width: outW, height: outH };
}

/**
 * Like sampleRect, done by libvips (SIMD, anti-aliased): for big regions (output crops, model inputs).
 * The rectangle is snapped to whole pixels; parts outside the image repeat the edge.
 */
export async function resampleRegion(img: RgbImage, rect: Rect, outW: number, outH: number, kernel: "linear" | "lanczos3" = "lanczos3"): Promise<RgbImage> {
  const x0 = Math.round(rect.x), y0 = Math.round(rect.y);
  const x1 = Math.max(x0 + 1, Math.round(rect.x + rect.w)), y1 = Math.max(y0 + 1, Math.round(rect.y + rect.h));
  const ex0 = clamp(x0, 0, img.width - 1), ey0 = clamp(y0, 0, img.height - 1);
  const ex1 = clamp(x1, ex0 + 1, img.width), ey1 = clamp(y1, ey0 + 1, img.height);
  let p = sharp(img.data, { raw: { width: img.width, height: img.height, channels: 3 } }).extract({ left: ex0, top: ey0, width: ex1 - ex0, height: ey1 - ey0 });
  const pad = { top: ey0 - y0, left: ex0 - x0, bottom: y1 - ey1, right: x1 - ex1 };
  if (pad.top > 0 || pad.left > 0 || pad.bottom > 0 || pad.right > 0) {
    // sharp runs extend after resize within one pipeline: materialise the padded region first
    const { data, info } = await p.extend({ top: Math.max(0, pad.top), left: Math.max(0, pad.left), bottom: Math.max(0, pad.bottom), right: Math.max(0, pad.right), extendWith: "copy" }).raw().toBuffer({ resolveWithObject: true });
    p = sharp(data, { raw: { width: info.width, height: info.height, channels: 3 } });
  }
  const { data, info } = await p.resize(outW, outH, { fit: "fill", kernel }).raw().toBuffer({ resolveWithObject: true });
  return { data: new Uint8Array(data.buffer, data.byteOffset, data.byteLength), width: info.width, height: info.height };
}

/** Bilinear resampling of a float map (e.g. a model's probability map) to outW×outH covering `rect` of it. */
export function sampleFloat(map: FloatImage, rect: Rect, outW: number, outH: number, out: Float32Array = new Float32Array(outW * outH)): FloatImage {
  const { width: W, height: H, data } = map;
  const sx = rect.w / outW, sy = rect.h / outH;
  // separable: each source row is interpolated along x once (cached), then rows are blended
  const c0 = new Int32Array(outW), c1 = new Int32Array(outW), tx = new Float32Array(outW);
  for (let ox = 0; ox < outW; ox++) {
    const fx = rect.x + (ox + 0.5) * sx - 0.5;
    const x0 = Math.floor(fx);
    tx[ox] = fx - x0;
    c0[ox] = x0 < 0 ? 0 : x0 >= W ? W - 1 : x0;
    c1[ox] = x0 + 1 < 0 ? 0 : x0 + 1 >= W ? W - 1 : x0 + 1;
  }
  let rowA = new Float32Array(outW), rowB = new Float32Array(outW);
  let ya = -1, yb = -1;
  const fill = (dst: Float32Array, y: number) => {
    const o = y * W;
    for (let ox = 0; ox < outW; ox++) {
      const t = tx[ox]!;
      dst[ox] = data[o + c0[ox]!]! * (1 - t) + data[o + c1[ox]!]! * t;
    }
  };
  for (let oy = 0; oy < outH; oy++) {
    const fy = rect.y + (oy + 0.5) * sy - 0.5;
    const f = Math.floor(fy);
    const ty = fy - f;
    const y0 = f < 0 ? 0 : f >= H ? H - 1 : f;
    const y1 = f + 1 < 0 ? 0 : f + 1 >= H ? H - 1 : f + 1;
    if (y0 !== ya) {
      if (y0 === yb) {
        [rowA, rowB] = [rowB, rowA];
        ya = yb;
        yb = -1;
      } else {
        fill(rowA, y0);
        ya = y0;
      }
    }
    if (y1 !== yb) {
      fill(rowB, y1);
      yb = y1;
    }
    const o = oy * outW;
    for (let ox = 0; ox < outW; ox++) out[o + ox] = rowA[ox]! * (1 - ty) + rowB[ox]! * ty;
  }
  return { data: out, width: outW, height: outH };
}

/** Rec. 601 luma, 0–255 floats. */
export function toGray(img: RgbImage): FloatImage {
  const n = img.width * img.height;
  const out = new Float32Array(n);
  const d = img.data;
  for (let i = 0; i < n; i++) out[i] = 0.299 * d[i * 3]! + 0.587 * d[i * 3 + 1]! + 0.114 * d[i * 3 + 2]!;
  return { data: out, width: img.width, height: img.height };
}

/**
 * Mean over a (2r+1)² window, edges handled by shrinking the window. Two running-sum passes, each
 * split into edge and interior loops (no per-pixel branches); the vertical pass walks whole rows
 * (cache-friendly) instead of columns. The passes are separate functions so V8 optimises each as a
 * whole: as one function it was entered in the interpreter, optimised inside its first loop and thrown
 * back at the first allocation after it, on most calls.
 */
export function boxFilter(src: Float32Array, width: number, height: number, r: number, out: Float32Array = new Float32Array(width * height)): Float32Array {
  const tmp = scratch("box.tmp", width * height);
  boxRows(src, tmp, width, height, r, windowInverses(width, r));
  boxColumns(tmp, out, width, height, r, windowInverses(height, r), new Float64Array(width));
  return out;
}

/** 1 / window length for every position along an axis of length n. */
function windowInverses(n: number, r: number): Float32Array {
  const v = new Float32Array(n);
  for (let i = 0; i < n; i++) v[i] = 1 / (Math.min(i + r, n - 1) - Math.max(i - r, 0) + 1);
  return v;
}

function boxRows(src: Float32Array, tmp: Float32Array, width: number, height: number, r: number, ix: Float32Array): void {
  for (let y = 0; y < height; y++) {
    const row = y * width;
    let acc = 0;
    const first = Math.min(r, width - 1);
    for (let x = 0; x <= first; x++) acc += src[row + x]!;
    // after writing x, the window moves on: add x+r+1 while x < A, drop x−r once x ≥ r
    const A = width - r - 1;
    let x = 0;
    for (const e = Math.max(0, Math.min(r, A)); x < e; x++) {
      tmp[row + x] = acc * ix[x]!;
      acc += src[row + x + r + 1]!;
    }
    if (r <= A) {
      for (; x < A; x++) {
        tmp[row + x] = acc * ix[x]!;
        acc += src[row + x + r + 1]! - src[row + x - r]!;
      }
    } else {
      for (const e = Math.min(r, width); x < e; x++) tmp[row + x] = acc * ix[x]!;
    }
    for (; x < width; x++) {
      tmp[row + x] = acc * ix[x]!;
      acc -= src[row + x - r]!;
    }
  }
}

function boxColumns(tmp: Float32Array, out: Float32Array, width: number, height: number, r: number, iy: Float32Array, acc: Float64Array): void {
  for (let y = 0; y <= Math.min(r, height - 1); y++) {
    const row = y * width;
    for (let x = 0; x < width; x++) acc[x] = acc[x]! + tmp[row + x]!;
  }
  for (let y = 0; y < height; y++) {
    const k = iy[y]!;
    const row = y * width;
    for (let x = 0; x < width; x++) out[row + x] = acc[x]! * k;
    const add = y + r + 1, sub = y - r;
    if (add < height && sub >= 0) {
      const ra = add * width, rs = sub * width;
      for (let x = 0; x < width; x++) acc[x] = acc[x]! + tmp[ra + x]! - tmp[rs + x]!;
    } else if (add < height) {
      const ra = add * width;
      for (let x = 0; x < width; x++) acc[x] = acc[x]! + tmp[ra + x]!;
    } else if (sub >= 0) {
      const rs = sub * width;
      for (let x = 0; x < width; x++) acc[x] = acc[x]! - tmp[rs + x]!;
    }
  }
}

const scratchBuffers = new Map<string, Float32Array>();

/**
 * A reusable Float32Array of length n for temporaries that never leave a synchronous function (one
 * buffer per name, grown as needed; contents are garbage). Cuts the garbage of the per-photo image
 * maths, whose large typed arrays otherwise trigger frequent full garbage collections.
 */
export function scratch(name: string, n: number): Float32Array {
  let b = scratchBuffers.get(name);
  if (!b || b.length < n) scratchBuffers.set(name, (b = new Float32Array(Math.max(n, Math.ceil((b?.length ?? 0) * 1.25)))));
  return b.subarray(0, n);
}

// ---- colour ----

const SRGB_TO_LINEAR = new Float32Array(256).map((_, i) => {
  const c = i / 255;
  return c <= 0.04045 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
});

function labF(t: number): number {
  return t > 216 / 24389 ? Math.cbrt(t) : ((24389 / 27) * t + 16) / 116;
}

/** sRGB (0–255) → CIELAB (D65), written into `out` (L*, a*, b*): no allocation per pixel. */
function labInto(r: number, g: number, b: number, out: Float64Array): Float64Array {
  const R = SRGB_TO_LINEAR[Math.max(0, Math.min(255, Math.round(r)))]!;
  const G = SRGB_TO_LINEAR[Math.max(0, Math.min(255, Math.round(g)))]!;
  const B = SRGB_TO_LINEAR[Math.max(0, Math.min(255, Math.round(b)))]!;
  const x = (0.4124564 * R + 0.3575761 * G + 0.1804375 * B) / 0.95047;
  const y = 0.2126729 * R + 0.7151522 * G + 0.072175 * B;
  const z = (0.0193339 * R + 0.119192 * G + 0.9503041 * B) / 1.08883;
  const fx = labF(x), fy = labF(y), fz = labF(z);
  out[0] = 116 * fy - 16;
  out[1] = 500 * (fx - fy);
  out[2] = 200 * (fy - fz);
  return out;
}

/** sRGB (0–255) → CIELAB (D65). */
export function rgbToLab(r: number, g: number, b: number): [number, number, number] {
  const o = labInto(r, g, b, LAB);
  return [o[0]!, o[1]!, o[2]!];
}

const LAB = new Float64Array(3);

/**
 * Planar (NCHW) float tensor of an RGB image, each channel mapped as (v / 255 − mean) / std through a
 * 256-entry table (the same arithmetic per value, computed once per channel instead of per pixel).
 */
export function planarTensor(img: RgbImage, mean: readonly number[], std: readonly number[]): Float32Array {
  const n = img.width * img.height;
  const t = new Float32Array(3 * n);
  const d = img.data;
  for (let c = 0; c < 3; c++) {
    const lut = new Float32Array(256);
    for (let v = 0; v < 256; v++) lut[v] = (v / 255 - mean[c]!) / std[c]!;
    for (let i = 0, o = c * n; i < n; i++) t[o + i] = lut[d[i * 3 + c]!]!;
  }
  return t;
}

/** CIELAB chroma √(a*² + b*²) of an sRGB pixel, without allocating a Lab tuple. */
export function labChroma(r: number, g: number, b: number): number {
  const o = labInto(r, g, b, LAB);
  return Math.hypot(o[1]!, o[2]!);
}

/** CIEDE2000 colour difference. */
export function deltaE2000(l1: readonly number[], l2: readonly number[]): number {
  const [L1, a1, b1] = l1 as [number, number, number];
  const [L2, a2, b2] = l2 as [number, number, number];
  const rad = Math.PI / 180;
  const C1 = Math.hypot(a1, b1), C2 = Math.hypot(a2, b2);
  const Cb = (C1 + C2) / 2;
  const G = 0.5 * (1 - Math.sqrt(Cb ** 7 / (Cb ** 7 + 25 ** 7)));
  const a1p = (1 + G) * a1, a2p = (1 + G) * a2;
  const C1p = Math.hypot(a1p, b1), C2p = Math.hypot(a2p, b2);
  const h = (a: number, b: number) => {
    if (a === 0 && b === 0) return 0;
    const t = Math.atan2(b, a) / rad;
    return t < 0 ? t + 360 : t;
  };
  const h1p = h(a1p, b1), h2p = h(a2p, b2);
  const dLp = L2 - L1, dCp = C2p - C1p;
  let dhp = 0;
  if (C1p * C2p !== 0) {
    dhp = h2p - h1p;
    if (dhp > 180) dhp -= 360;
    else if (dhp < -180) dhp += 360;
  }
  const dHp = 2 * Math.sqrt(C1p * C2p) * Math.sin((dhp * rad) / 2);
  const Lbp = (L1 + L2) / 2, Cbp = (C1p + C2p) / 2;
  let hbp = h1p + h2p;
  if (C1p * C2p !== 0) {
    if (Math.abs(h1p - h2p) > 180) hbp = h1p + h2p < 360 ? (h1p + h2p + 360) / 2 : (h1p + h2p - 360) / 2;
    else hbp = (h1p + h2p) / 2;
  }
  const T = 1 - 0.17 * Math.cos((hbp - 30) * rad) + 0.24 * Math.cos(2 * hbp * rad) + 0.32 * Math.cos((3 * hbp + 6) * rad) - 0.2 * Math.cos((4 * hbp - 63) * rad);
  const dTheta = 30 * Math.exp(-(((hbp - 275) / 25) ** 2));
  const Rc = 2 * Math.sqrt(Cbp ** 7 / (Cbp ** 7 + 25 ** 7));
  const Sl = 1 + (0.015 * (Lbp - 50) ** 2) / Math.sqrt(20 + (Lbp - 50) ** 2);
  const Sc = 1 + 0.045 * Cbp;
  const Sh = 1 + 0.015 * Cbp * T;
  const Rt = -Math.sin(2 * dTheta * rad) * Rc;
  return Math.sqrt((dLp / Sl) ** 2 + (dCp / Sc) ** 2 + (dHp / Sh) ** 2 + Rt * (dCp / Sc) * (dHp / Sh));
}

/**
 * The k-th smallest value (0-based) of `a`, reordering `a` in place (Hoare's selection: linear time on
 * average, where sorting the few thousand samples behind each median cost a millisecond per photo).
 */
function selectK(a: Float64Array, k: number): number {
  let lo = 0, hi = a.length - 1;
  while (lo < hi) {
    const pivot = a[(lo + hi) >> 1]!;
    let i = lo, j = hi;
    while (i <= j) {
      while (a[i]! < pivot) i++;
      while (a[j]! > pivot) j--;
      if (i <= j) {
        const t = a[i]!;
        a[i++] = a[j]!;
        a[j--] = t;
      }
    }
    if (k <= j) hi = j;
    else if (k >= i) lo = i;
    else break;
  }
  return a[k]!;
}

export function median(values: ArrayLike<number>): number {
  if (values.length === 0) return NaN;
  const s = new Float64Array(values);
  const m = s.length >> 1;
  return s.length % 2 ? selectK(s, m) : (selectK(s, m - 1) + selectK(s, m)) / 2;
}

export function quantile(values: ArrayLike<number>, q: number): number {
  return quantiles(values, [q])[0]!;
}

/** Several quantiles of one set (linear interpolation between order statistics). */
export function quantiles(values: ArrayLike<number>, qs: readonly number[]): number[] {
  if (values.length === 0) return qs.map(() => NaN);
  const s = new Float64Array(values);
  return qs.map((q) => {
    const pos = (s.length - 1) * q;
    const lo = Math.floor(pos), hi = Math.ceil(pos);
    const a = selectK(s, lo);
    return a + (selectK(s, hi) - a) * (pos - lo);
  });
}

export const clamp = (v: number, lo: number, hi: number): number => (v < lo ? lo : v > hi ? hi : v);
