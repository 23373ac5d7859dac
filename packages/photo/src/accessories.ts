import type { Point, RgbImage } from "@gradphoto/vision";
import { sampleRect, type Rect } from "./pixels.js";

/** Patch scale for the jewellery search: the face is resampled to this many pixels wide. */
const FACE_PX = 200;

/** How far from skin (face widths) jewellery is looked for. */
const REACH = 0.05;

/** The blob scales searched (px, with the face at FACE_PX). */
const SIGMAS = [1.5, 2.5] as const;
/** Kernel radius of the widest scale; the narrower kernels are zero beyond their own 2.5 σ. */
const R = Math.ceil(2.5 * SIGMAS[1]);

/** Gaussian taps of each scale over −R…R (zero beyond the scale's own radius) and their sums. */
const KERNELS = SIGMAS.map((sigma) => {
  const r = Math.max(1, Math.ceil(2.5 * sigma));
  const k = new Float64Array(2 * R + 1);
  let sum = 0;
  for (let i = -r; i <= r; i++) sum += k[i + R] = Math.exp(-(i ** 2) / (2 * sigma * sigma));
  return { k, sum };
});

/**
 * Separable Gaussian blurs of two w×h float images at both scales (edges repeat the border pixel):
 * [a σ1, a σ2, b σ1, b σ2]. One pass per direction computes all four from a padded copy of the line,
 * so no tap needs a bounds check; the zero taps add exactly nothing, so each result is the same as a
 * blur of its own. (Four separate blurs with clamped border columns cost 3 ms of every check.)
 */
function blurBoth(a: Float32Array, b: Float32Array, w: number, h: number): Float32Array[] {
  const n = 2 * R + 1;
  const k1 = KERNELS[0]!.k, k2 = KERNELS[1]!.k, s1 = KERNELS[0]!.sum, s2 = KERNELS[1]!.sum;
  const size = w * h;
  const t = [new Float32Array(size), new Float32Array(size), new Float32Array(size), new Float32Array(size)] as const;
  const o = [new Float32Array(size), new Float32Array(size), new Float32Array(size), new Float32Array(size)] as const;
  const len = Math.max(w, h) + 2 * R;
  const l0 = new Float32Array(len), l1 = new Float32Array(len), l2 = new Float32Array(len), l3 = new Float32Array(len);
  for (let y = 0; y < h; y++) {
    const row = y * w;
    for (let i = 0; i < w + 2 * R; i++) {
      const j = row + Math.min(w - 1, Math.max(0, i - R));
      l0[i] = a[j]!; l1[i] = b[j]!;
    }
    for (let x = 0; x < w; x++) {
      let a1 = 0, a2 = 0, b1 = 0, b2 = 0;
      for (let i = 0; i < n; i++) {
        const va = l0[x + i]!, vb = l1[x + i]!, c1 = k1[i]!, c2 = k2[i]!;
        a1 += c1 * va; a2 += c2 * va; b1 += c1 * vb; b2 += c2 * vb;
      }
      t[0][row + x] = a1 / s1; t[1][row + x] = a2 / s2; t[2][row + x] = b1 / s1; t[3][row + x] = b2 / s2;
    }
  }
  for (let x = 0; x < w; x++) {
    for (let i = 0; i < h + 2 * R; i++) {
      const j = Math.min(h - 1, Math.max(0, i - R)) * w + x;
      l0[i] = t[0][j]!; l1[i] = t[1][j]!; l2[i] = t[2][j]!; l3[i] = t[3][j]!;
    }
    for (let y = 0; y < h; y++) {
      let v0 = 0, v1 = 0, v2 = 0, v3 = 0;
      for (let i = 0; i < n; i++) {
        const c1 = k1[i]!, c2 = k2[i]!;
        v0 += c1 * l0[y + i]!; v1 += c2 * l1[y + i]!; v2 += c1 * l2[y + i]!; v3 += c2 * l3[y + i]!;
      }
      const j = y * w + x;
      o[0][j] = v0 / s1; o[1][j] = v1 / s2; o[2][j] = v2 / s1; o[3][j] = v3 / s2;
    }
  }
  return [...o];
}

/**
 * Strongest blob (determinant of the Hessian, scale-normalised: σ²·√det, in channel units) in a
 * blurred float image `g`, ignoring a border of `margin` pixels; with its position.
 */
function strongestBlob(g: Float32Array, w: number, h: number, sigma: number, margin: number, allowed?: Uint8Array): { v: number; x: number; y: number } {
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
    // the same order as before the blurs were shared: σ 1.5 (luma, yellow), then σ 2.5
    const [l1, l2, y1, y2] = blurBoth(luma, yellow, w, h);
    let best = { v: 0, x: 0, y: 0 };
    for (const [g, sigma] of [[l1!, SIGMAS[0]], [y1!, SIGMAS[0]], [l2!, SIGMAS[1]], [y2!, SIGMAS[1]]] as const) {
      const b = strongestBlob(g, w, h, sigma, Math.ceil(2 * sigma), allowed);
      if (b.v > best.v) best = b;
    }
    blob[side < 0 ? 0 : 1] = best.v;
    if (best.v > bestAll) {
      bestAll = best.v;
      at = { x: z.x + best.x / k, y: z.y + best.y / k, side: side < 0 ? "left" : "right" };
    }
  }
  return { blob, at };
}
