import type { RgbImage } from "@gradphoto/vision";
import { boxFilter, clamp, sampleFloat, scratch, type FloatImage, type Rect } from "./pixels.js";
import type { Segmentation } from "./segment.js";
import { labelComponents } from "./components.js";

/**
 * Coarse alpha for an output-sized crop: the person probability (192² map) and, where present, the hair
 * and skin probabilities (256² map, finer around hair and ears), resampled from the segmented region into the crop rectangle.
 * Pixels outside the photo get alpha 0 (they become background).
 */
export function coarseAlpha(seg: Segmentation, crop: Rect, width: number, height: number, imgW: number, imgH: number): CoarseAlpha {
  const out = new Float32Array(width * height);
  // what protects a cell from reclaimBackdrop: NaN outside the photo, 1 deep inside the person map
  // (≥ 0.97), else in the lower half the skin/clothes probability (see there)
  const claim = new Float32Array(width * height).fill(NaN);
  const sx = crop.w / width, sy = crop.h / height;
  const axis = (m: FloatImage) => mapSampler(m, seg.rect, crop, width, height);
  const P = axis(seg.person), H = seg.hair && axis(seg.hair), C0 = seg.skin && axis(seg.skin), C1 = seg.clothes && axis(seg.clothes);
  const extra = [H, C0].filter((m): m is MapSampler => !!m);
  // the part of the crop that lies inside both the photo and the segmented region
  const x0 = Math.max(0, Math.ceil((Math.max(0, seg.rect.x) - crop.x) / sx - 0.5));
  const x1 = Math.min(width, Math.floor((Math.min(imgW, seg.rect.x + seg.rect.w) - crop.x) / sx - 0.5) + 1);
  const y0 = Math.max(0, Math.ceil((Math.max(0, seg.rect.y) - crop.y) / sy - 0.5));
  const y1 = Math.min(height, Math.floor((Math.min(imgH, seg.rect.y + seg.rect.h) - crop.y) / sy - 0.5) + 1);
  const half = height >> 1; // the claim is only needed where reclaimBackdrop may act
  // clothes that are not hair or skin (see smoothEdge), on every other cell: the result is widened anyway
  const cw = Math.ceil(width / 2), ch = Math.ceil(height / 2);
  const cloth = C1 ? new Float32Array(cw * ch) : undefined;
  for (let y = y0; y < y1; y++) {
    for (let x = x0; x < x1; x++) {
      let a = bil(P, x, y);
      const i = y * width + x;
      if (cloth && a > 0.02 && !(x & 1) && !(y & 1)) cloth[(y >> 1) * cw + (x >> 1)] = bil(C1!, x, y) - Math.max(H ? bil(H, x, y) : 0, C0 ? bil(C0, x, y) : 0);
      let c = a >= 0.97 ? 1 : 0;
      if (y >= half && a >= 0.05 && a < 0.97) {
        if (C0) c = bil(C0, x, y);
        if (C1) c = Math.max(c, bil(C1, x, y));
      }
      claim[i] = c;
      // the 512² hair and skin maps sharpen the outline of hair and ears, but only next to the person
      // map (the hair map also fires on dark backgrounds)
      if (a > 0.25) for (const m of extra) a = Math.max(a, bil(m, x, y));
      out[i] = a;
    }
  }
  return { data: out, width, height, claim: C0 || C1 ? claim : undefined, smoothEdge: cloth && { data: smoothEdgeOf(cloth, cw, ch), width: cw, height: ch } };
}

/** A model map resampled onto the output grid: integer cell and fraction for every column and row. */
interface MapSampler {
  d: Float32Array;
  u0: Int32Array;
  u1: Int32Array;
  fu: Float32Array;
  v0: Int32Array;
  v1: Int32Array;
  fv: Float32Array;
}

/**
 * Bilinear, edge-clamped sampling of `m` (covering `rect` of the working image) at the centres of a
 * width×height grid over `crop`. Module-level, with bil below, rather than closures in coarseAlpha:
 * V8 tied the closures' optimised code to one call and compiled them again for every photo.
 */
function mapSampler(m: FloatImage, rect: Rect, crop: Rect, width: number, height: number): MapSampler {
  const sx = crop.w / width, sy = crop.h / height;
  const u0 = new Int32Array(width), u1 = new Int32Array(width), fu = new Float32Array(width);
  const v0 = new Int32Array(height), v1 = new Int32Array(height), fv = new Float32Array(height);
  for (let x = 0; x < width; x++) {
    const u = ((crop.x + (x + 0.5) * sx - rect.x) / rect.w) * m.width - 0.5;
    const f = Math.floor(u);
    fu[x] = u - f; u0[x] = clamp(f, 0, m.width - 1); u1[x] = clamp(f + 1, 0, m.width - 1);
  }
  for (let y = 0; y < height; y++) {
    const v = ((crop.y + (y + 0.5) * sy - rect.y) / rect.h) * m.height - 0.5;
    const f = Math.floor(v);
    fv[y] = v - f; v0[y] = clamp(f, 0, m.height - 1) * m.width; v1[y] = clamp(f + 1, 0, m.height - 1) * m.width;
  }
  return { d: m.data, u0, u1, fu, v0, v1, fv };
}

function bil(m: MapSampler, x: number, y: number): number {
  const d = m.d, a = m.v0[y]!, b = m.v1[y]!, c0 = m.u0[x]!, c1 = m.u1[x]!, fx = m.fu[x]!, fy = m.fv[y]!;
  return (d[a + c0]! * (1 - fx) + d[a + c1]! * fx) * (1 - fy) + (d[b + c0]! * (1 - fx) + d[b + c1]! * fx) * fy;
}

/**
 * Where the edge is clothing: the clothes map leads hair and skin by ≥ 0.2 (full at 0.6), widened over
 * 3 cells (12 output px: the cells are a quarter of the output size) so that it covers the whole soft
 * edge, whose cells the maps score lower: a cell counts fully when a third of its 7×7 neighbourhood is
 * clothing (a box filter: cheaper than a max filter).
 */
function smoothEdgeOf(margin: Float32Array, w: number, h: number, r = 3): Float32Array {
  const v = scratch("se.v", w * h);
  for (let i = 0; i < v.length; i++) v[i] = clamp((margin[i]! - 0.2) / 0.4, 0, 1);
  const out = boxFilter(v, w, h, r);
  for (let i = 0; i < out.length; i++) out[i] = Math.min(1, 3 * out[i]!);
  return out;
}

/** The coarse matte, with what reclaimBackdrop needs (absent: no reclaiming). */
export interface CoarseAlpha extends FloatImage {
  /** NaN outside the photo; 1 where person ≥ 0.97; in the lower half max(skin, clothes); else 0 */
  claim?: Float32Array;
  /**
   * 0–1 per cell of a quarter-size grid: how much the edge there is clothing. A textured garment (tweed,
   * knit) next to an old background of similar colour has threads of that colour: projected one pixel
   * at a time they turned transparent and frayed the shoulder line, so there compose projects the
   * neighbourhood's mean colour instead (see composite).
   */
  smoothEdge?: FloatImage;
}

/**
 * Old backdrop that the person map (and the hair map, which fires on dark backgrounds) counts as
 * subject: pockets between hair ends, neck and shoulders. Starting from the clear background (coarse
 * alpha < 0.05), the background grows into neighbouring cells of the lower half that still look like it
 * — within `tol` levels of the local background colour carried along the flood (it follows a quarter of
 * each new cell: the backdrop in the pocket is often in shadow, darker than the open backdrop) — unless
 * the cell is deep inside the person (person ≥ 0.97), skin or clothes claim it (≥ 0.5), or it is textured
 * (luma standard deviation over its 3×3 neighbourhood > 4 levels). Hair is not a
 * claim (it fires on the backdrop); hair, earrings and clothes that differ in colour from the backdrop
 * stop the flood. Works on the coarse (half-size) grid and changes `coarse.data` in place; cell colours
 * are read from the crop on demand. Costs about a tenth of refineAlpha (only cells along the flood).
 * Dev set: the pockets beside sarah_3's neck go; in spec 141 → 142/158, halo p95 sum 86 → 83 px.
 */
function reclaimBackdrop(coarse: CoarseAlpha, crop: RgbImage, tol = 20): void {
  const claim = coarse.claim;
  if (!claim) return;
  const { width: w, height: h, data: p } = coarse;
  const W = crop.width, d = crop.data, fx = W / w, fy = crop.height / h;
  const n = w * h, half = (h >> 1) * w;
  // a cell's colour: the mean over the cell and its 8 neighbours (a textured garment, tweed or knit, has
  // cells as dark as the backdrop between its threads, and a per-cell colour let the flood fray the
  // shoulder line). Computed on demand, once: only cells along the flood are needed.
  const c = new Float32Array(4), own = scratch("rb.own", n * 4), hasOwn = new Uint8Array(n);
  const cache = scratch("rb.cache", n * 4), cached = new Uint8Array(n);
  const ownColour = (j: number) => {
    if (hasOwn[j]) return;
    hasOwn[j] = 1;
    const cx = j % w, cy = (j / w) | 0;
    const xa = Math.floor(cx * fx), xb = Math.max(xa + 1, Math.floor((cx + 1) * fx));
    const ya = Math.floor(cy * fy), yb = Math.max(ya + 1, Math.floor((cy + 1) * fy));
    let r = 0, g = 0, b = 0, l2 = 0;
    for (let y = ya; y < yb; y++) for (let x = xa, o = (y * W + xa) * 3; x < xb; x++, o += 3) {
      r += d[o]!; g += d[o + 1]!; b += d[o + 2]!;
      const l = 0.299 * d[o]! + 0.587 * d[o + 1]! + 0.114 * d[o + 2]!;
      l2 += l * l;
    }
    const q = 1 / ((xb - xa) * (yb - ya)), o = j * 4;
    own[o] = r * q; own[o + 1] = g * q; own[o + 2] = b * q; own[o + 3] = l2 * q;
  };
  const colour = (j: number) => {
    const o = j * 4;
    if (cached[j]) { c[0] = cache[o]!; c[1] = cache[o + 1]!; c[2] = cache[o + 2]!; c[3] = cache[o + 3]!; return; }
    cached[j] = 1;
    const cx = j % w, cy = (j / w) | 0;
    let r = 0, g = 0, b = 0, l2 = 0, m = 0;
    for (let y = Math.max(0, cy - 1); y <= Math.min(h - 1, cy + 1); y++) for (let x = Math.max(0, cx - 1); x <= Math.min(w - 1, cx + 1); x++) {
      const k = y * w + x;
      ownColour(k);
      r += own[k * 4]!; g += own[k * 4 + 1]!; b += own[k * 4 + 2]!; l2 += own[k * 4 + 3]!; m++;
    }
    r /= m; g /= m; b /= m;
    const l = 0.299 * r + 0.587 * g + 0.114 * b;
    c[0] = cache[o] = r; c[1] = cache[o + 1] = g; c[2] = cache[o + 2] = b;
    c[3] = cache[o + 3] = Math.sqrt(Math.max(0, l2 / m - l * l)); // luma standard deviation: texture
  };
  const isCand = (j: number) => j >= half && p[j]! >= 0.05 && claim[j]! < 0.5; // NaN: false
  const ref = scratch("rb.ref", n * 3); // the background colour carried along the flood (set before read)
  const done = new Uint8Array(n), seeded = new Uint8Array(n);
  const stack = scratch("rb.stack", n); // cell indices (exact in float32)
  // a seed's colour: the mean over the clear-background cells of its 3×3 neighbourhood
  const seedRef = (s: number) => {
    const sx = s % w, sy = (s / w) | 0;
    let r = 0, g = 0, b = 0, m = 0;
    for (let y = Math.max(0, sy - 1); y <= Math.min(h - 1, sy + 1); y++) for (let x = Math.max(0, sx - 1); x <= Math.min(w - 1, sx + 1); x++) {
      const j = y * w + x;
      if (!isSeed(p, claim, j)) continue;
      colour(j);
      r += c[0]!; g += c[1]!; b += c[2]!; m++;
    }
    ref[s * 3] = r / m; ref[s * 3 + 1] = g / m; ref[s * 3 + 2] = b / m;
    seeded[s] = 1;
  };
  const tol2 = tol * tol;
  // cells whose luma varies by more than this (standard deviation over the 3×3 cells, 6×6 px) are
  // texture, not backdrop: a wall or a shadowed pocket of it varies by 1–3 levels (JPEG noise), a tweed
  // whose threads have the wall's colour, or strands of hair, by far more. Without it the flood bit into
  // sarah_3's lapel where the clothes map misses it (eligible outputs: shoulder fray 0.148 → 0.104 px,
  // halo sum 28 → 26; over all outputs no change)
  const texTol = 4;
  let sp = 0;
  // cell j joins the background if its colour is within tol of the colour at ref[k..k+2]
  const grow = (j: number, k: number) => {
    colour(j);
    if (c[3]! > texTol) return;
    const d0 = c[0]! - ref[k]!, d1 = c[1]! - ref[k + 1]!, d2 = c[2]! - ref[k + 2]!;
    if (d0 * d0 + d1 * d1 + d2 * d2 > tol2) return;
    done[j] = 1;
    const o = j * 3;
    ref[o] = 0.75 * ref[k]! + 0.25 * c[0]!; ref[o + 1] = 0.75 * ref[k + 1]! + 0.25 * c[1]!; ref[o + 2] = 0.75 * ref[k + 2]! + 0.25 * c[2]!;
    stack[sp++] = j;
  };
  const fromSeed = (j: number, s: number) => {
    if (done[j] || !isSeed(p, claim, s)) return;
    if (!seeded[s]) seedRef(s);
    grow(j, s * 3);
  };
  for (let j = half; j < n; j++) {
    if (!isCand(j)) continue;
    const x = j % w;
    if (x > 0) fromSeed(j, j - 1);
    if (x < w - 1) fromSeed(j, j + 1);
    fromSeed(j, j - w);
    if (j + w < n) fromSeed(j, j + w);
  }
  while (sp) {
    const i = stack[--sp]! | 0, x = i % w, k = i * 3;
    if (x > 0 && !done[i - 1] && isCand(i - 1)) grow(i - 1, k);
    if (x < w - 1 && !done[i + 1] && isCand(i + 1)) grow(i + 1, k);
    if (!done[i - w] && isCand(i - w)) grow(i - w, k);
    if (i + w < n && !done[i + w] && isCand(i + w)) grow(i + w, k);
  }
  // the flooded cells give way softly: the mask is blurred (5×5 cells) and faded in over 8 % of the
  // height below the half line. Set to 0 cell by cell, the flood left notched outlines (sarah_3's
  // shoulders); the fade-in keeps it from starting with a step at the half line.
  const m = scratch("rb.mask", n);
  for (let j = 0; j < n; j++) m[j] = done[j]!;
  const mb = boxFilter(m, w, h, 2, scratch("rb.blur", n));
  const h0 = h >> 1, ramp = Math.max(1, Math.round(0.08 * h));
  for (let y = h0; y < h; y++) {
    const f = Math.min(1, (y - h0 + 1) / ramp);
    for (let x = 0, j = y * w; x < w; x++, j++) if (mb[j]! > 0) p[j] = p[j]! * (1 - f * Math.min(1, 2 * mb[j]!));
  }
}

/** Clear background inside the photo (claim is NaN outside it). Module-level: see mapSampler. */
function isSeed(p: Float32Array, claim: Float32Array, j: number): boolean {
  return p[j]! < 0.05 && claim[j] === claim[j];
}

/**
 * Step 7: refine the matte at output resolution with a guided filter (He et al.), the crop's luma as
 * guide, so the edge follows hair, ears and shoulders of the photo instead of the coarse map; then a
 * mild contrast curve keeps the inside opaque and the background clear.
 *
 * When `coarse` is smaller than the crop (half size: the usual case) this is the fast guided filter
 * (He & Sun 2015): the linear coefficients are fitted on the half-size guide and coarse map, upsampled
 * bilinearly and applied to the full-resolution guide, so the edge keeps full-resolution detail at a
 * quarter of the box-filter work.
 */
export function refineAlpha(crop: RgbImage, coarse: CoarseAlpha, opts: { radius?: number; eps?: number } = {}): FloatImage {
  const { width: W, height: H } = crop;
  const N = W * H;
  const full = scratch("refine.full", N);
  for (let i = 0; i < N; i++) full[i] = (0.299 * crop.data[i * 3]! + 0.587 * crop.data[i * 3 + 1]! + 0.114 * crop.data[i * 3 + 2]!) / 255;
  const w = coarse.width, h = coarse.height;
  const fx = W / w, fy = H / h;
  const n = w * h;
  // guide at the coarse map's resolution (area average)
  let I = full;
  if (W === 2 * w && H === 2 * h) {
    I = scratch("refine.I", n);
    for (let y = 0; y < h; y++) {
      const r0 = 2 * y * W, r1 = r0 + W;
      for (let x = 0; x < w; x++) I[y * w + x] = 0.25 * (full[r0 + 2 * x]! + full[r0 + 2 * x + 1]! + full[r1 + 2 * x]! + full[r1 + 2 * x + 1]!);
    }
  } else if (w !== W || h !== H) {
    I = scratch("refine.I", n).fill(0);
    const cnt = scratch("refine.cnt", n).fill(0);
    for (let y = 0; y < H; y++) {
      const row = Math.min(h - 1, Math.floor(y / fy)) * w;
      for (let x = 0; x < W; x++) {
        const j = row + Math.min(w - 1, Math.floor(x / fx));
        I[j] = I[j]! + full[y * W + x]!;
        cnt[j] = cnt[j]! + 1;
      }
    }
    for (let j = 0; j < n; j++) I[j] = I[j]! / (cnt[j] || 1);
  }
  reclaimBackdrop(coarse, crop);
  // radius ≈ 6 px and ε = 3e-3 at 480×640 (dev set: halo p95 ≤ 2 px on 50/52 eligible outputs, against
  // 47/52 with the earlier 8 px and 1e-3; the plateau spans 5–6 px and ε 3e-3–5e-3)
  const r = opts.radius ?? Math.max(1, Math.round(Math.min(W, H) / 80 / fx));
  const eps = opts.eps ?? 3e-3;
  const p = coarse.data;
  const Ip = scratch("refine.Ip", n), II = scratch("refine.II", n);
  for (let i = 0; i < n; i++) {
    Ip[i] = I[i]! * p[i]!;
    II[i] = I[i]! * I[i]!;
  }
  const box = (src: Float32Array, name: string) => boxFilter(src, w, h, r, scratch(name, n));
  const mI = box(I, "refine.mI"), mp = box(p, "refine.mp"), mIp = box(Ip, "refine.mIp"), mII = box(II, "refine.mII");
  const a = mIp, b = mII; // reuse buffers
  for (let i = 0; i < n; i++) {
    const cov = mIp[i]! - mI[i]! * mp[i]!;
    const v = mII[i]! - mI[i]! * mI[i]!;
    const ai = cov / (v + eps);
    a[i] = ai;
    b[i] = mp[i]! - ai * mI[i]!;
  }
  const ma = box(a, "refine.ma"), mb = box(b, "refine.mb");
  const out = new Float32Array(N);
  const curve = (q: number) => (q <= 0.25 ? 0 : q >= 0.75 ? 1 : (q - 0.25) / 0.5);
  if (w === W && h === H) {
    for (let i = 0; i < N; i++) {
      const q = ma[i]! * full[i]! + mb[i]!;
      out[i] = p[i]! === 0 && q < 0.5 ? 0 : curve(q);
    }
    return { data: out, width: W, height: H };
  }
  // bilinear upsampling of the coefficients (cell centres), applied to the full-resolution guide
  const cell = { x: 0, y: 0, w, h };
  const A = sampleFloat({ data: ma, width: w, height: h }, cell, W, H, scratch("refine.A", N)).data;
  const B = sampleFloat({ data: mb, width: w, height: h }, cell, W, H, scratch("refine.B", N)).data;
  const nx = new Int32Array(W);
  for (let x = 0; x < W; x++) nx[x] = Math.min(w - 1, Math.floor(x / fx));
  for (let y = 0; y < H; y++) {
    const rn = Math.min(h - 1, Math.floor(y / fy)) * w;
    for (let x = 0, i = y * W; x < W; x++, i++) {
      const q = A[i]! * full[i]! + B[i]!;
      out[i] = p[rn + nx[x]!]! === 0 && q < 0.5 ? 0 : curve(q);
    }
  }
  return { data: out, width: W, height: H };
}

/**
 * Removes matte islands that are not part of the graduate: only regions connected (alpha > 0.05) to
 * the face centre, or reaching the bottom edge with a sizeable area (the body), are kept. The regions
 * are traced on a half-size copy (each cell the maximum of its 2×2 block, so connections survive).
 */
export function keepSubject(alpha: FloatImage, face: { x: number; y: number }): FloatImage {
  const { width: W, height: H, data: A } = alpha;
  const w = Math.ceil(W / 2), h = Math.ceil(H / 2);
  // a cell is set when any pixel of its 2×2 block is (so connections survive the halving)
  const mask = new Uint8Array(w * h);
  for (let y = 0; y < H; y++) for (let x = 0; x < W; x++) if (A[y * W + x]! > 0.05) mask[(y >> 1) * w + (x >> 1)] = 1;
  const { label, area, y1 } = labelComponents(mask, w, h, 1);
  // kept: the components with a cell next to the face centre, and those reaching the bottom edge with
  // a sizeable area (the body)
  const keep = area.map((a, id) => y1[id] === h - 1 && a > 0.01 * w * h);
  const fx = Math.round(face.x / 2), fy = Math.round(face.y / 2);
  for (let y = fy - 1; y <= fy + 1; y++) for (let x = fx - 1; x <= fx + 1; x++) {
    if (x < 0 || x >= w || y < 0 || y >= h) continue;
    const l = label[y * w + x]!;
    if (l >= 0) keep[l] = true;
  }
  const out = new Float32Array(W * H);
  for (let y = 0; y < H; y++) for (let x = 0; x < W; x++) {
    const l = label[(y >> 1) * w + (x >> 1)]!;
    const i = y * W + x;
    out[i] = l >= 0 && keep[l] ? A[i]! : 0;
  }
  return { data: out, width: W, height: H };
}
