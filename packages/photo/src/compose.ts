import type { RgbImage } from "@gradphoto/vision";
import { boxFilter, scratch, type FloatImage } from "./pixels.js";

/** Local colour of the old background (B) and of the subject (F) around every pixel. */
export interface LocalColours {
  /** half-resolution grid: width, height, and per channel the weighted means (NaN where no sample) */
  w: number;
  h: number;
  B: Float32Array[];
  F: Float32Array[];
  wB: Float32Array;
  wF: Float32Array;
  /** the darker of the old-background samples (cells below the local mean's luma): sums and weight */
  Bd: Float32Array[];
  wBd: Float32Array;
}

/**
 * Weighted local means on a half-resolution grid (the estimates are smooth, so this loses nothing and
 * costs a quarter): B from clearly transparent pixels, F from clearly opaque ones.
 */
function localColours(crop: RgbImage, A: Float32Array): LocalColours {
  const { width: W, height: H } = crop;
  const w = Math.ceil(W / 2), h = Math.ceil(H / 2);
  const n = w * h;
  // sums are temporaries (scratch); the box-filtered means are returned (the print reuses them)
  const sumB = [0, 1, 2].map((c) => scratch(`lc.B${c}`, n).fill(0));
  const sumF = [0, 1, 2].map((c) => scratch(`lc.F${c}`, n).fill(0));
  const cB = scratch("lc.cB", n).fill(0), cF = scratch("lc.cF", n).fill(0);
  for (let y = 0; y < H; y++) {
    const row = (y >> 1) * w;
    for (let x = 0; x < W; x++) {
      const i = y * W + x, j = row + (x >> 1), a = A[i]!;
      if (a < 0.08) {
        cB[j]!++;
        sumB[0]![j]! += crop.data[i * 3]!; sumB[1]![j]! += crop.data[i * 3 + 1]!; sumB[2]![j]! += crop.data[i * 3 + 2]!;
      } else if (a > 0.92) {
        cF[j]!++;
        sumF[0]![j]! += crop.data[i * 3]!; sumF[1]![j]! += crop.data[i * 3 + 1]!; sumF[2]![j]! += crop.data[i * 3 + 2]!;
      }
    }
  }
  // radius ≈ 15 output px (dev set: mean halo p95 0.66 px; 20 px gave 0.82, a quarter-resolution grid 1.09)
  const r = Math.max(2, Math.round(Math.min(w, h) / 32));
  const B = sumB.map((s) => boxFilter(s, w, h, r)), wB = boxFilter(cB, w, h, r);
  // split the samples at the local mean's luma: a two-toned old background (lettering, a patterned wall)
  // has a mean that is neither tone
  const sd = [0, 1, 2].map((c) => scratch(`lc.Bd${c}`, n).fill(0)), cd = scratch("lc.cBd", n).fill(0);
  for (let j = 0; j < n; j++) {
    const c = cB[j]!;
    if (c === 0) continue;
    const s0 = sumB[0]![j]!, s1 = sumB[1]![j]!, s2 = sumB[2]![j]!, m = wB[j]!;
    if (0.299 * s0 + 0.587 * s1 + 0.114 * s2 < (c / m) * (0.299 * B[0]![j]! + 0.587 * B[1]![j]! + 0.114 * B[2]![j]!)) {
      sd[0]![j] = s0; sd[1]![j] = s1; sd[2]![j] = s2; cd[j] = c;
    }
  }
  return { w, h, B, F: sumF.map((s) => boxFilter(s, w, h, r)), wB, wF: boxFilter(cF, w, h, r), Bd: sd.map((s) => boxFilter(s, w, h, r)), wBd: boxFilter(cd, w, h, r) };
}

/**
 * Step 8: put the graduate on the new background.
 *
 * At the soft edge (hair, ears, shoulders) a pixel is a mix of the graduate and the old background.
 * The local old-background colour B and the local subject colour F are estimated from nearby clearly
 * transparent / clearly opaque pixels; where B and F differ enough, alpha is re-estimated by
 * projecting the pixel onto the B→F colour line (a pixel that looks like the old background becomes
 * transparent: no halo), and the old background is removed from the colour before blending onto the
 * new one. Opaque pixels are copied unchanged: no retouching of the graduate.
 * `project: false` keeps the alpha as given (used for the print version, whose alpha comes from the
 * standard-size render).
 */
export function composite(
  crop: RgbImage,
  alpha: FloatImage,
  bg: readonly [number, number, number],
  opts: { project?: boolean; colours?: LocalColours; smoothEdge?: FloatImage } = {},
): { image: RgbImage; alpha: FloatImage; colours: LocalColours } {
  const { width: W, height: H } = crop;
  const n = W * H;
  const A0 = alpha.data;
  const L = opts.colours ?? localColours(crop, A0);
  // grid cell of every column and row (the colours may come from a render of another size: the print)
  const gx = gridCells(W, L.w), gy = gridCells(H, L.h, L.w);
  const project = opts.project !== false;
  // clothing edges (see CoarseAlpha.smoothEdge) project the colour averaged over 5×5 px, not the pixel's
  const SE = project ? opts.smoothEdge : undefined;
  const sx = SE ? gridCells(W, SE.width) : null, sy = SE ? gridCells(H, SE.height, SE.width) : null;
  // the 5×5 mean around (x, y), computed only for the edge pixels that need it
  const m = new Float32Array(3);
  // opaque pixels within 4 px of the matte edge are re-examined too: the refined matte often runs a
  // few pixels into the old background (a light rim around ears on a white wall, dark wall beside hair;
  // 4 px: blond hair on a black backdrop kept a darkened 3–5 px rim at 3 px; the band can only lower
  // alpha. Dev set: sum of halo p95 over all outputs 115 → 106 px; 5 px gave 112)
  const nearEdge = project ? dilate(A0, W, H, 0.9, 4) : null;
  const out = new Uint8Array(n * 3);
  const A = new Float32Array(n);
  const d = crop.data;
  const bg0 = bg[0], bg1 = bg[1], bg2 = bg[2];
  for (let y = 0; y < H; y++) {
    const lrow = gy[y]!;
    for (let x = 0; x < W; x++) {
      const i = y * W + x, o = i * 3;
      let a = A0[i]!;
      if (a >= 0.999 && !(nearEdge && nearEdge[i])) {
        A[i] = 1;
        out[o] = d[o]!; out[o + 1] = d[o + 1]!; out[o + 2] = d[o + 2]!;
        continue;
      }
      if (a <= 0.001) {
        out[o] = bg0; out[o + 1] = bg1; out[o + 2] = bg2;
        continue;
      }
      const j = lrow + gx[x]!;
      const wb = L.wB[j]!, wf = L.wF[j]!;
      const hasB = wb > 0.02, hasF = wf > 0.02;
      const I0 = d[o]!, I1 = d[o + 1]!, I2 = d[o + 2]!;
      let b0 = hasB ? L.B[0]![j]! / wb : I0, b1 = hasB ? L.B[1]![j]! / wb : I1, b2 = hasB ? L.B[2]![j]! / wb : I2;
      const f0 = hasF ? L.F[0]![j]! / wf : I0, f1 = hasF ? L.F[1]![j]! / wf : I1, f2 = hasF ? L.F[2]![j]! / wf : I2;
      // a two-toned old background (lettering or a pattern on the wall behind the hair) has a mean B that
      // is neither tone: a fringe of hair over the dark tone is no mix of that B and F and kept its dark
      // rim. Of the mean, the darker and the lighter tone, the background whose mix with F lies closest
      // to the pixel is used. Confidence stays at most the mean's (a tone picked because it fits must not
      // make the colours look more decisive than the neighbourhood is: a grey photo, dark hair on a
      // dark wall). On a plain wall the tones are the mean ± noise: nothing changes.
      let mlen2 = Infinity;
      if (hasB && hasF) {
        const wd = L.wBd[j]!, wl = wb - wd;
        const m0 = f0 - b0, m1 = f1 - b1, m2 = f2 - b2;
        mlen2 = m0 * m0 + m1 * m1 + m2 * m2;
        if (wd > 0.02 && wl > 0.02) {
          let best = residual2(I0, I1, I2, b0, b1, b2, f0, f1, f2);
          if (best > 0) {
            const d0 = L.Bd[0]![j]! / wd, d1 = L.Bd[1]![j]! / wd, d2 = L.Bd[2]![j]! / wd;
            const l0 = (L.B[0]![j]! - L.Bd[0]![j]!) / wl, l1 = (L.B[1]![j]! - L.Bd[1]![j]!) / wl, l2 = (L.B[2]![j]! - L.Bd[2]![j]!) / wl;
            const ed = residual2(I0, I1, I2, d0, d1, d2, f0, f1, f2), el = residual2(I0, I1, I2, l0, l1, l2, f0, f1, f2);
            if (ed < best) { best = ed; b0 = d0; b1 = d1; b2 = d2; }
            if (el < best) { b0 = l0; b1 = l1; b2 = l2; }
          }
        }
      }
      if (project && hasB && hasF) {
        const d0 = f0 - b0, d1 = f1 - b1, d2 = f2 - b2;
        const len2 = d0 * d0 + d1 * d1 + d2 * d2;
        let conf = Math.min(1, Math.max(0, (Math.sqrt(Math.min(len2, mlen2)) - 20) / 40));
        const opaque = a >= 0.999;
        if (conf > 0) {
          // on a clothing edge the pixel is replaced by its neighbourhood's mean: a textured garment has
          // threads as dark (or light) as the old background, and projecting them one by one frayed the
          // shoulder line; a rim of old background along the edge is wider than the threads and stays
          const s = SE ? SE.data[sy![y]! + sx![x]!]! : 0;
          let J0 = I0, J1 = I1, J2 = I2;
          if (s > 0) {
            mean5(crop, x, y, m);
            J0 += s * (m[0]! - I0); J1 += s * (m[1]! - I1); J2 += s * (m[2]! - I2);
          }
          const t = ((J0 - b0) * d0 + (J1 - b1) * d1 + (J2 - b2) * d2) / len2;
          const ac = t < 0 ? 0 : t > 1 ? 1 : t;
          // to make a pixel MORE opaque than the matte says, the two-colour model must explain it: when
          // it lies far from the B–F segment (residual above min(0.35 |F − B|, 28) levels; no trust from
          // twice that) the local means are not its colours — typically a patterned old background
          // (lettering beside a dark backdrop: the mean B is neither, and a dark backdrop pixel then
          // projects onto the subject end and became opaque). Keep the matte's alpha there. Lowering
          // alpha stays allowed (erring towards the new background is the safe side for a halo).
          if (ac > a) {
            const e0 = J0 - b0 - ac * d0, e1 = J1 - b1 - ac * d1, e2 = J2 - b2 - ac * d2;
            const e2sum = e0 * e0 + e1 * e1 + e2 * e2;
            const tol2 = Math.min(0.1225 * len2, 784);
            if (e2sum > tol2) conf *= e2sum >= 4 * tol2 ? 0 : 2 - Math.sqrt(e2sum / tol2);
          }
          // where the colours decide, alpha follows them, opaque pixels near the edge included (the
          // refined matte often runs 2–3 px into a dark old background beside dark hair)
          a = conf * ac + (1 - conf) * a;
        }
        // where subject and old background look alike the colour cannot decide: pull the edge in slightly
        if (conf < 1 && !opaque) a = conf * a + (1 - conf) * Math.min(1, Math.max(0, (a - 0.2) / 0.7));
        if (a >= 0.999) {
          A[i] = 1;
          out[o] = I0; out[o + 1] = I1; out[o + 2] = I2;
          continue;
        }
      }
      A[i] = a;
      if (a <= 0.02) {
        out[o] = bg0; out[o + 1] = bg1; out[o + 2] = bg2;
        continue;
      }
      // subject colour: unmix where alpha is substantial, the local subject colour where it is faint
      const lam = a < 0.2 ? 0 : a > 0.6 ? 1 : (a - 0.2) / 0.4;
      const ia = 1 / a, na = 1 - a;
      let c0 = hasB ? (I0 - na * b0) * ia : I0, c1 = hasB ? (I1 - na * b1) * ia : I1, c2 = hasB ? (I2 - na * b2) * ia : I2;
      c0 = c0 < 0 ? 0 : c0 > 255 ? 255 : c0; c1 = c1 < 0 ? 0 : c1 > 255 ? 255 : c1; c2 = c2 < 0 ? 0 : c2 > 255 ? 255 : c2;
      const v0 = a * (lam * c0 + (1 - lam) * f0) + na * bg0;
      const v1 = a * (lam * c1 + (1 - lam) * f1) + na * bg1;
      const v2 = a * (lam * c2 + (1 - lam) * f2) + na * bg2;
      out[o] = v0 < 0 ? 0 : v0 > 255 ? 255 : (v0 + 0.5) | 0;
      out[o + 1] = v1 < 0 ? 0 : v1 > 255 ? 255 : (v1 + 0.5) | 0;
      out[o + 2] = v2 < 0 ? 0 : v2 > 255 ? 255 : (v2 + 0.5) | 0;
    }
  }
  return { image: { data: out, width: W, height: H }, alpha: { data: A, width: W, height: H }, colours: L };
}

/**
 * The mean colour over the 5×5 pixels around (x, y), into `m`. Module-level, not a closure in
 * composite: V8 tied the closure's optimised code to one call and compiled it again for every photo.
 */
function mean5(crop: RgbImage, x: number, y: number, m: Float32Array): void {
  const W = crop.width, H = crop.height, d = crop.data;
  const xa = Math.max(0, x - 2), xb = Math.min(W - 1, x + 2), ya = Math.max(0, y - 2), yb = Math.min(H - 1, y + 2);
  let r = 0, g = 0, b = 0;
  for (let v = ya; v <= yb; v++) for (let u = xa, o = (v * W + xa) * 3; u <= xb; u++, o += 3) { r += d[o]!; g += d[o + 1]!; b += d[o + 2]!; }
  const q = 1 / ((xb - xa + 1) * (yb - ya + 1));
  m[0] = r * q; m[1] = g * q; m[2] = b * q;
}

/** For each of `n` pixels along an axis, the index of the grid cell (of `cells`) holding its centre, times `stride`. */
function gridCells(n: number, cells: number, stride = 1): Int32Array {
  const out = new Int32Array(n);
  for (let i = 0; i < n; i++) out[i] = Math.min(cells - 1, Math.floor(((i + 0.5) * cells) / n)) * stride;
  return out;
}

/** 1 where a pixel lies within r pixels (square window) of a pixel with alpha below `below`. */
function dilate(A: Float32Array, W: number, H: number, below: number, r: number): Uint8Array {
  const row = new Uint8Array(W * H), out = new Uint8Array(W * H);
  for (let y = 0; y < H; y++) {
    const o = y * W;
    let last = -1e9; // last soft column seen going right
    for (let x = 0; x < W; x++) {
      if (A[o + x]! < below) last = x;
      if (x - last <= r) row[o + x] = 1;
    }
    last = 1e9;
    for (let x = W - 1; x >= 0; x--) {
      if (A[o + x]! < below) last = x;
      if (last - x <= r) row[o + x] = 1;
    }
  }
  for (let x = 0; x < W; x++) {
    let last = -1e9;
    for (let y = 0; y < H; y++) {
      if (row[y * W + x]) last = y;
      if (y - last <= r) out[y * W + x] = 1;
    }
    last = 1e9;
    for (let y = H - 1; y >= 0; y--) {
      if (row[y * W + x]) last = y;
      if (last - y <= r) out[y * W + x] = 1;
    }
  }
  return out;
}

/** Squared distance of colour I from the segment B–F. */
function residual2(I0: number, I1: number, I2: number, b0: number, b1: number, b2: number, f0: number, f1: number, f2: number): number {
  const d0 = f0 - b0, d1 = f1 - b1, d2 = f2 - b2;
  const len2 = d0 * d0 + d1 * d1 + d2 * d2;
  let t = len2 > 0 ? ((I0 - b0) * d0 + (I1 - b1) * d1 + (I2 - b2) * d2) / len2 : 0;
  t = t < 0 ? 0 : t > 1 ? 1 : t;
  const e0 = I0 - b0 - t * d0, e1 = I1 - b1 - t * d1, e2 = I2 - b2 - t * d2;
  return e0 * e0 + e1 * e1 + e2 * e2;
}
