import type { RgbImage } from "@gradphoto/vision";
import { boxFilter, clamp, type FloatImage, type Rect } from "./pixels.js";
import type { Segmentation } from "./segment.js";

/**
 * Coarse alpha for an output-sized crop: the person probability (192² map) and, where present, the hair
 * and skin probabilities (512² map, finer around hair and ears), resampled from the segmented region into the crop rectangle.
 * Pixels outside the photo get alpha 0 (they become background).
 */
export function coarseAlpha(seg: Segmentation, crop: Rect, width: number, height: number, imgW: number, imgH: number): FloatImage {
  const out = new Float32Array(width * height);
  const sx = crop.w / width, sy = crop.h / height;
  // per map: integer cell and fraction for every output column and row (bilinear, edge-clamped)
  const axis = (m: FloatImage) => {
    const u0 = new Int32Array(width), u1 = new Int32Array(width), fu = new Float32Array(width);
    const v0 = new Int32Array(height), v1 = new Int32Array(height), fv = new Float32Array(height);
    for (let x = 0; x < width; x++) {
      const u = ((crop.x + (x + 0.5) * sx - seg.rect.x) / seg.rect.w) * m.width - 0.5;
      const f = Math.floor(u);
      fu[x] = u - f; u0[x] = clamp(f, 0, m.width - 1); u1[x] = clamp(f + 1, 0, m.width - 1);
    }
    for (let y = 0; y < height; y++) {
      const v = ((crop.y + (y + 0.5) * sy - seg.rect.y) / seg.rect.h) * m.height - 0.5;
      const f = Math.floor(v);
      fv[y] = v - f; v0[y] = clamp(f, 0, m.height - 1) * m.width; v1[y] = clamp(f + 1, 0, m.height - 1) * m.width;
    }
    return { d: m.data, u0, u1, fu, v0, v1, fv };
  };
  const maps = [seg.person, seg.hair, seg.skin].filter((m): m is FloatImage => !!m).map(axis);
  const P = maps[0]!, extra = maps.slice(1);
  // the part of the crop that lies inside both the photo and the segmented region
  const x0 = Math.max(0, Math.ceil((Math.max(0, seg.rect.x) - crop.x) / sx - 0.5));
  const x1 = Math.min(width, Math.floor((Math.min(imgW, seg.rect.x + seg.rect.w) - crop.x) / sx - 0.5) + 1);
  const y0 = Math.max(0, Math.ceil((Math.max(0, seg.rect.y) - crop.y) / sy - 0.5));
  const y1 = Math.min(height, Math.floor((Math.min(imgH, seg.rect.y + seg.rect.h) - crop.y) / sy - 0.5) + 1);
  const bil = (m: typeof P, x: number, y: number) => {
    const d = m.d, a = m.v0[y]!, b = m.v1[y]!, c0 = m.u0[x]!, c1 = m.u1[x]!, fx = m.fu[x]!, fy = m.fv[y]!;
    return (d[a + c0]! * (1 - fx) + d[a + c1]! * fx) * (1 - fy) + (d[b + c0]! * (1 - fx) + d[b + c1]! * fx) * fy;
  };
  for (let y = y0; y < y1; y++) {
    for (let x = x0; x < x1; x++) {
      let a = bil(P, x, y);
      // the 512² hair and skin maps sharpen the outline of hair and ears, but only next to the person
      // map (the hair map also fires on dark backgrounds)
      if (a > 0.25) for (const m of extra) a = Math.max(a, bil(m, x, y));
      out[y * width + x] = a;
    }
  }
  return { data: out, width, height };
}

/**
 * Step 7: refine the matte at output resolution with a guided filter (He et al.), the crop's luma as
 * guide, so the edge follows hair, ears and shoulders of the photo instead of the coarse map; then a
 * mild contrast curve keeps the inside opaque and the background clear.
 */
export function refineAlpha(crop: RgbImage, coarse: FloatImage, opts: { radius?: number; eps?: number } = {}): FloatImage {
  const { width: w, height: h } = crop;
  const n = w * h;
  const r = opts.radius ?? Math.max(2, Math.round(Math.min(w, h) / 60));
  const eps = opts.eps ?? 1e-3;
  const I = new Float32Array(n);
  for (let i = 0; i < n; i++) I[i] = (0.299 * crop.data[i * 3]! + 0.587 * crop.data[i * 3 + 1]! + 0.114 * crop.data[i * 3 + 2]!) / 255;
  const p = coarse.data;
  const Ip = new Float32Array(n), II = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    Ip[i] = I[i]! * p[i]!;
    II[i] = I[i]! * I[i]!;
  }
  const mI = boxFilter(I, w, h, r), mp = boxFilter(p, w, h, r), mIp = boxFilter(Ip, w, h, r), mII = boxFilter(II, w, h, r);
  const a = new Float32Array(n), b = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    const cov = mIp[i]! - mI[i]! * mp[i]!;
    const v = mII[i]! - mI[i]! * mI[i]!;
    a[i] = cov / (v + eps);
    b[i] = mp[i]! - a[i]! * mI[i]!;
  }
  const ma = boxFilter(a, w, h, r), mb = boxFilter(b, w, h, r);
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    const q = ma[i]! * I[i]! + mb[i]!;
    // contrast curve: 0.25 → 0, 0.75 → 1
    out[i] = clamp((q - 0.25) / 0.5, 0, 1);
    if (p[i]! === 0 && coarse.data[i] === 0 && q < 0.5) out[i] = 0;
  }
  return { data: out, width: w, height: h };
}

/**
 * Removes matte islands that are not part of the graduate: only regions connected (alpha > 0.05) to
 * the face centre, or reaching the bottom edge with a sizeable area (the body), are kept.
 */
export function keepSubject(alpha: FloatImage, face: { x: number; y: number }): FloatImage {
  const { width: w, height: h, data } = alpha;
  const label = new Int32Array(w * h).fill(-1);
  const stack = new Int32Array(w * h);
  const keep: boolean[] = [];
  const fx = Math.round(face.x), fy = Math.round(face.y);
  let next = 0;
  for (let start = 0; start < w * h; start++) {
    if (label[start] !== -1 || data[start]! <= 0.05) continue;
    const id = next++;
    let sp = 0, area = 0, bottom = false, hasFace = false;
    stack[sp++] = start;
    label[start] = id;
    while (sp) {
      const i = stack[--sp]!;
      area++;
      const x = i % w, y = (i / w) | 0;
      if (y === h - 1) bottom = true;
      if (Math.abs(x - fx) <= 2 && Math.abs(y - fy) <= 2) hasFace = true;
      if (x > 0 && label[i - 1] === -1 && data[i - 1]! > 0.05) { label[i - 1] = id; stack[sp++] = i - 1; }
      if (x < w - 1 && label[i + 1] === -1 && data[i + 1]! > 0.05) { label[i + 1] = id; stack[sp++] = i + 1; }
      if (y > 0 && label[i - w] === -1 && data[i - w]! > 0.05) { label[i - w] = id; stack[sp++] = i - w; }
      if (y < h - 1 && label[i + w] === -1 && data[i + w]! > 0.05) { label[i + w] = id; stack[sp++] = i + w; }
    }
    keep[id] = hasFace || (bottom && area > 0.01 * w * h);
  }
  const out = new Float32Array(w * h);
  for (let i = 0; i < w * h; i++) out[i] = label[i]! >= 0 && keep[label[i]!] ? data[i]! : 0;
  return { data: out, width: w, height: h };
}
