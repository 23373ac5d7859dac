import type { Point, RgbImage } from "@gradphoto/vision";
import { sampleRect, type Rect } from "./pixels.js";

/** Patch scale for the jewellery search: the face is resampled to this many pixels wide. */
const FACE_PX = 200;

/** How far from skin (face widths) jewellery is looked for. */
const REACH = 0.05;

/** Separable Gaussian blur of a w×h float image (edges repeat the border pixel). */
function gaussian(src: Float32Array, w: number, h: number, sigma: number): Float32Array {
  const r = Math.max(1, Math.ceil(2.5 * sigma));
  const k = new Float64Array(2 * r + 1);
  let ks = 0;
  for (let i = 0; i <= 2 * r; i++) ks += k[i] = Math.exp(-((i - r) ** 2) / (2 * sigma * sigma));
  const tmp = new Float32Array(w * h), out = new Float32Array(w * h);
  for (let y = 0; y < h; y++) {
    const row = y * w;
    for (let x = 0; x < w; x++) {
      let s = 0;
      if (x >= r && x < w - r) for (let i = -r; i <= r; i++) s += k[i + r]! * src[row + x + i]!;
      else for (let i = -r; i <= r; i++) s += k[i + r]! * src[row + Math.min(w - 1, Math.max(0, x + i))]!;
      tmp[row + x] = s / ks;
    }
  }
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      let s = 0;
      if (y >= r && y < h - r) for (let i = -r; i <= r; i++) s += k[i + r]! * tmp[(y + i) * w + x]!;
      else for (let i = -r; i <= r; i++) s += k[i + r]! * tmp[Math.min(h - 1, Math.max(0, y + i)) * w + x]!;
      out[y * w + x] = s / ks;
    }
  }
  return out;
}

/**
 * Strongest blob (determinant of the Hessian, scale-normalised: σ²·√det, in channel units) in a
 * float image, ignoring a border of `margin` pixels; with its position.
 */
function strongestBlob(ch: Float32Array, w: number, h: number, sigma: number, margin: number, allowed?: Uint8Array): { v: number; x: number; y: number } {
  const g = gaussian(ch, w, h, sigma);
  let best = { v: 0, x: 0, y: 0 };
  for (let y = Math.max(1, margin); y < h - Math.max(1, margin); y++) {
    for (let x = Math.max(1, margin); x < w - Math.max(1, margin); x++) {
      const i = y * w + x;
      if (allowed && !allowed[i]) continue;
      const xx = g[i - 1]! - 2 * g[i]! + g[i + 1]!;
      const yy = g[i - w]! - 2 * g[i]! + g[i + w]!;
      const xy = (g[i - w + 1]! - g[i - w - 1]! - g[i + w + 1]! + g[i + w - 1]!) / 4;
      const det = xx * yy - xy * xy;
      if (det <= 0) continue;
      const v = sigma * sigma * Math.sqrt(det);
      if (v > best.v) best = { v, x, y };
    }
  }
  return best;
}

/** Where an ear lobe and what hangs from it lie beside one cheek (working pixels). */
export function earLobeZone(p: Point[], F: number, side: -1 | 1): Rect {
  const top = side < 0 ? p[0]! : p[16]!, edge = side < 0 ? p[1]! : p[15]!, low = side < 0 ? p[3]! : p[13]!;
  const w = 0.24 * F;
  const x = side < 0 ? edge.x - 0.22 * F : edge.x - 0.02 * F;
  const y = top.y - 0.05 * F;
  return { x, y, w, h: low.y + 0.1 * F - y };
}

export interface JewelleryEvidence {
  /** strongest small blob per ear zone [image-left, image-right], in luma units */
  blob: [number, number];
  /** the zone that holds the stronger blob, and the blob's centre (working pixels) */
  at: { x: number; y: number; side: "left" | "right" };
}

/**
 * Ear jewellery: a stud, ring or drop is a small compact spot of its own colour (metal shine, a stone,
 * a dark bead) on or below the ear lobe. Searched as the strongest blob of luma and of yellowness
 * ((R+G)/2 − B, gold) at stud scale in each ear-lobe zone; edges (ear rim against the backdrop) and
 * lines (hair strands) give little determinant of the Hessian, blobs a lot.
 */
export function earJewellery(img: RgbImage, p: Point[], F: number, maps?: { hair: (x: number, y: number) => number; skin: (x: number, y: number) => number }): JewelleryEvidence {
  const k = FACE_PX / Math.max(1, F);
  const blob: [number, number] = [0, 0];
  let at: JewelleryEvidence["at"] = { x: 0, y: 0, side: "left" };
  let bestAll = -1;
  for (const side of [-1, 1] as const) {
    const z = earLobeZone(p, F, side);
    const w = Math.max(8, Math.round(z.w * k)), h = Math.max(8, Math.round(z.h * k));
    const patch = sampleRect(img, z, w, h);
    const luma = new Float32Array(w * h), yellow = new Float32Array(w * h);
    for (let i = 0; i < w * h; i++) {
      const r = patch.data[i * 3]!, g = patch.data[i * 3 + 1]!, b = patch.data[i * 3 + 2]!;
      luma[i] = 0.299 * r + 0.587 * g + 0.114 * b;
      yellow[i] = (r + g) / 2 - b;
    }
    // where jewellery can be: not in hair (strand ends and curls against the backdrop are blobs too),
    // and within reach of skin (a stud sits on the lobe, a ring or drop hangs from it)
    let allowed: Uint8Array | undefined;
    if (maps) {
      allowed = new Uint8Array(w * h);
      const skin = new Uint8Array(w * h);
      for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) skin[y * w + x] = maps.skin(z.x + (x + 0.5) / k, z.y + (y + 0.5) / k) > 0.5 ? 1 : 0;
      const r = Math.max(1, Math.round(REACH * FACE_PX));
      // skin within a (2r+1)² square: a separable dilation (rows, then columns)
      const rows = new Uint8Array(w * h);
      for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) {
        let v = 0;
        for (let xx = Math.max(0, x - r); xx <= Math.min(w - 1, x + r) && !v; xx++) v = skin[y * w + xx]!;
        rows[y * w + x] = v;
      }
      for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) {
        if (maps.hair(z.x + (x + 0.5) / k, z.y + (y + 0.5) / k) > 0.4) continue;
        let v = 0;
        for (let yy = Math.max(0, y - r); yy <= Math.min(h - 1, y + r) && !v; yy++) v = rows[yy * w + x]!;
        allowed[y * w + x] = v;
      }
    }
    let best = { v: 0, x: 0, y: 0 };
    for (const sigma of [1.5, 2.5]) {
      for (const ch of [luma, yellow]) {
        const b = strongestBlob(ch, w, h, sigma, Math.ceil(2 * sigma), allowed);
        if (b.v > best.v) best = b;
      }
    }
    blob[side < 0 ? 0 : 1] = best.v;
    if (best.v > bestAll) {
      bestAll = best.v;
      at = { x: z.x + best.x / k, y: z.y + best.y / k, side: side < 0 ? "left" : "right" };
    }
  }
  return { blob, at };
}
