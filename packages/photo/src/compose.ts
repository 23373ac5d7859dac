import type { RgbImage } from "@gradphoto/vision";
import { boxFilter, type FloatImage } from "./pixels.js";

/**
 * Step 8: put the graduate on the new background.
 *
 * At the soft edge (hair, ears, shoulders) a pixel is a mix of the graduate and the old background.
 * The local old-background colour B and the local subject colour F are estimated from nearby clearly
 * transparent / clearly opaque pixels; where B and F differ enough, alpha is re-estimated by
 * projecting the pixel onto the B→F colour line (a pixel that looks like the old background becomes
 * transparent: no halo), and the old background is removed from the colour before blending onto the
 * new one. Opaque pixels are copied unchanged: no retouching of the graduate.
 */
export function composite(crop: RgbImage, alpha: FloatImage, bg: readonly [number, number, number]): { image: RgbImage; alpha: FloatImage } {
  const { width: w, height: h } = crop;
  const n = w * h;
  const r = Math.max(4, Math.round(Math.min(w, h) / 48));
  const A0 = alpha.data;
  const wb = new Float32Array(n), wf = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    wb[i] = A0[i]! < 0.08 ? 1 : 0;
    wf[i] = A0[i]! > 0.92 ? 1 : 0;
  }
  const mwb = boxFilter(wb, w, h, r), mwf = boxFilter(wf, w, h, r);
  const B: Float32Array[] = [], F: Float32Array[] = [];
  const ch = new Float32Array(n);
  for (let c = 0; c < 3; c++) {
    for (let i = 0; i < n; i++) ch[i] = crop.data[i * 3 + c]! * wb[i]!;
    B.push(boxFilter(ch, w, h, r));
    for (let i = 0; i < n; i++) ch[i] = crop.data[i * 3 + c]! * wf[i]!;
    F.push(boxFilter(ch, w, h, r));
  }
  const out = new Uint8Array(n * 3);
  const A = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    const o = i * 3;
    let a = A0[i]!;
    if (a >= 0.999 || a <= 0.001) {
      A[i] = a >= 0.999 ? 1 : 0;
      if (a >= 0.999) {
        out[o] = crop.data[o]!; out[o + 1] = crop.data[o + 1]!; out[o + 2] = crop.data[o + 2]!;
      } else {
        out[o] = bg[0]; out[o + 1] = bg[1]; out[o + 2] = bg[2];
      }
      continue;
    }
    const hasB = mwb[i]! > 0.02, hasF = mwf[i]! > 0.02;
    const b = [0, 1, 2].map((c) => (hasB ? B[c]![i]! / mwb[i]! : crop.data[o + c]!));
    const f = [0, 1, 2].map((c) => (hasF ? F[c]![i]! / mwf[i]! : crop.data[o + c]!));
    if (hasB && hasF) {
      const d0 = f[0]! - b[0]!, d1 = f[1]! - b[1]!, d2 = f[2]! - b[2]!;
      const len2 = d0 * d0 + d1 * d1 + d2 * d2;
      const conf = Math.min(1, Math.max(0, (Math.sqrt(len2) - 20) / 40));
      if (conf > 0) {
        const t = ((crop.data[o]! - b[0]!) * d0 + (crop.data[o + 1]! - b[1]!) * d1 + (crop.data[o + 2]! - b[2]!) * d2) / len2;
        const ac = Math.min(1, Math.max(0, t));
        a = conf * ac + (1 - conf) * a;
      }
      // where subject and old background look alike the colour cannot decide: pull the edge in slightly
      if (conf < 1) a = conf * a + (1 - conf) * Math.min(1, Math.max(0, (a - 0.2) / 0.7));
    }
    A[i] = a;
    if (a <= 0.02) {
      out[o] = bg[0]; out[o + 1] = bg[1]; out[o + 2] = bg[2];
      continue;
    }
    // foreground colour: unmix where alpha is substantial, the local subject colour where it is faint
    const lam = a < 0.2 ? 0 : a > 0.6 ? 1 : (a - 0.2) / 0.4;
    for (let c = 0; c < 3; c++) {
      const I = crop.data[o + c]!;
      let fc = hasB ? (I - (1 - a) * b[c]!) / a : I;
      fc = fc < 0 ? 0 : fc > 255 ? 255 : fc;
      const fm = lam * fc + (1 - lam) * f[c]!;
      const v = a * fm + (1 - a) * bg[c]!;
      out[o + c] = v < 0 ? 0 : v > 255 ? 255 : (v + 0.5) | 0;
    }
  }
  return { image: { data: out, width: w, height: h }, alpha: { data: A, width: w, height: h } };
}
