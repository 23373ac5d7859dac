import type { RgbImage } from "@gradphoto/vision";
import { boxFilter, type FloatImage } from "./pixels.js";

/**
 * Step 8: put the graduate on the new background. At the soft edge the observed colour is a mix of the
 * graduate and the old background; the old background is estimated locally (a blur weighted towards
 * transparent pixels) and removed before blending, so no fringe of the old background (halo) remains
 * around hair, ears and shoulders. Opaque pixels are copied unchanged: no retouching.
 */
export function composite(crop: RgbImage, alpha: FloatImage, bg: readonly [number, number, number]): RgbImage {
  const { width: w, height: h } = crop;
  const n = w * h;
  const r = Math.max(3, Math.round(Math.min(w, h) / 40));
  const A = alpha.data;
  const wb = new Float32Array(n), wf = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    const t = 1 - A[i]!;
    wb[i] = t * t * t * t;
    wf[i] = A[i]! ** 4;
  }
  const mwb = boxFilter(wb, w, h, r), mwf = boxFilter(wf, w, h, r);
  const oldBg: Float32Array[] = [], localFg: Float32Array[] = [];
  const ch = new Float32Array(n);
  for (let c = 0; c < 3; c++) {
    for (let i = 0; i < n; i++) ch[i] = crop.data[i * 3 + c]! * wb[i]!;
    oldBg.push(boxFilter(ch, w, h, r));
    for (let i = 0; i < n; i++) ch[i] = crop.data[i * 3 + c]! * wf[i]!;
    localFg.push(boxFilter(ch, w, h, r));
  }
  const out = new Uint8Array(n * 3);
  for (let i = 0; i < n; i++) {
    const a = A[i]!;
    const o = i * 3;
    if (a >= 0.999) {
      out[o] = crop.data[o]!; out[o + 1] = crop.data[o + 1]!; out[o + 2] = crop.data[o + 2]!;
      continue;
    }
    if (a <= 0.001) {
      out[o] = bg[0]; out[o + 1] = bg[1]; out[o + 2] = bg[2];
      continue;
    }
    // trust the unmixing where alpha is substantial, the local foreground colour where it is faint
    const lam = a < 0.25 ? 0 : a > 0.7 ? 1 : (a - 0.25) / 0.45;
    for (let c = 0; c < 3; c++) {
      const I = crop.data[o + c]!;
      const B = mwb[i]! > 1e-4 ? oldBg[c]![i]! / mwb[i]! : I;
      const Fl = mwf[i]! > 1e-4 ? localFg[c]![i]! / mwf[i]! : I;
      let F = (I - (1 - a) * B) / a;
      F = F < 0 ? 0 : F > 255 ? 255 : F;
      const Fm = lam * F + (1 - lam) * Fl;
      const v = a * Fm + (1 - a) * bg[c]!;
      out[o + c] = v < 0 ? 0 : v > 255 ? 255 : (v + 0.5) | 0;
    }
  }
  return { data: out, width: w, height: h };
}
