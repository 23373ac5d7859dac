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
  const bil = (m: FloatImage, wx: number, wy: number) => {
    const u = ((wx - seg.rect.x) / seg.rect.w) * m.width - 0.5;
    const v = ((wy - seg.rect.y) / seg.rect.h) * m.height - 0.5;
    const u0 = Math.floor(u), v0 = Math.floor(v);
    const fu = u - u0, fv = v - v0;
    const cu0 = clamp(u0, 0, m.width - 1), cu1 = clamp(u0 + 1, 0, m.width - 1);
    const cv0 = clamp(v0, 0, m.height - 1), cv1 = clamp(v0 + 1, 0, m.height - 1);
    const d = m.data;
    return (d[cv0 * m.width + cu0]! * (1 - fu) + d[cv0 * m.width + cu1]! * fu) * (1 - fv) + (d[cv1 * m.width + cu0]! * (1 - fu) + d[cv1 * m.width + cu1]! * fu) * fv;
  };
  for (let y = 0; y < height; y++) {
    const wy = crop.y + (y + 0.5) * sy;
    for (let x = 0; x < width; x++) {
      const wx = crop.x + (x + 0.5) * sx;
      if (wx < 0 || wy < 0 || wx >= imgW || wy >= imgH || wx < seg.rect.x || wy < seg.rect.y || wx >= seg.rect.x + seg.rect.w || wy >= seg.rect.y + seg.rect.h) continue;
      let a = bil(seg.person, wx, wy);
      // the 512² hair and skin maps sharpen the outline of hair and ears, but only next to the person
      // map (the hair map also fires on dark backgrounds)
      if (a > 0.25) {
        if (seg.hair) a = Math.max(a, bil(seg.hair, wx, wy));
        if (seg.skin) a = Math.max(a, bil(seg.skin, wx, wy));
      }
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
