import type { RgbImage } from "@gradphoto/vision";
import type { FaceLandmarks } from "./landmarks.js";

const N = 128;
const HANN = Float64Array.from({ length: N }, (_, i) => 0.5 - 0.5 * Math.cos((2 * Math.PI * i) / (N - 1)));

// bit-reversal permutation and twiddle factors for length N, computed once
const REV = new Uint16Array(N);
for (let i = 0; i < N; i++) {
  let r = 0;
  for (let b = 1, k = N >> 1; b < N; b <<= 1, k >>= 1) if (i & b) r |= k;
  REV[i] = r;
}
const COS = new Float64Array(N / 2), SIN = new Float64Array(N / 2);
for (let k = 0; k < N / 2; k++) {
  COS[k] = Math.cos((-2 * Math.PI * k) / N);
  SIN[k] = Math.sin((-2 * Math.PI * k) / N);
}

/** In-place radix-2 FFT of (re, im), length N (tables above; no allocation). */
function fft(re: Float64Array, im: Float64Array): void {
  for (let i = 0; i < N; i++) {
    const j = REV[i]!;
    if (i < j) {
      const tr = re[i]!, ti = im[i]!;
      re[i] = re[j]!; im[i] = im[j]!;
      re[j] = tr; im[j] = ti;
    }
  }
  for (let len = 2; len <= N; len <<= 1) {
    const half = len >> 1, stride = N / len;
    for (let i = 0; i < N; i += len) {
      for (let j = 0; j < half; j++) {
        const cr = COS[j * stride]!, ci = SIN[j * stride]!;
        const a = i + j, b = a + half;
        const tr = re[b]! * cr - im[b]! * ci, ti = re[b]! * ci + im[b]! * cr;
        re[b] = re[a]! - tr; im[b] = im[a]! - ti;
        re[a] = re[a]! + tr; im[a] = im[a]! + ti;
      }
    }
  }
}

/**
 * Re-photographed prints and screens carry a periodic pattern (halftone dots, pixel grid moiré) that
 * natural skin does not: an isolated peak in the spectrum of the face at native resolution. The score
 * is the most prominent local maximum (mid/high frequencies, away from the axes and the JPEG 8-px
 * block harmonics) relative to the spectrum 2–3 bins around it.
 *
 * Each stage is its own small function: as one long function, V8 entered it in the interpreter on
 * every call, optimised its first loop on the stack and then deoptimised at the next (twice per call).
 */
export function fftPeakScore(img: RgbImage, lm: FaceLandmarks): number {
  const p = lm.points;
  const cx = Math.round((p[0]!.x + p[16]!.x) / 2), cy = Math.round(p[29]!.y);
  const half = N / 2;
  const x0 = Math.max(0, Math.min(img.width - N, cx - half)), y0 = Math.max(0, Math.min(img.height - N, cy - half));
  if (img.width < N || img.height < N) return 0;
  const re = windowedLuma(img, x0, y0), im = new Float64Array(N * N);
  fft2d(re, im);
  return peakProminence(paddedMagnitudes(re, im));
}

/** The N×N luma patch at (x0, y0), mean removed, under a Hann window. */
function windowedLuma(img: RgbImage, x0: number, y0: number): Float64Array {
  const re = new Float64Array(N * N);
  let mean = 0;
  for (let y = 0; y < N; y++) {
    for (let x = 0; x < N; x++) {
      const i = ((y0 + y) * img.width + x0 + x) * 3;
      const v = 0.299 * img.data[i]! + 0.587 * img.data[i + 1]! + 0.114 * img.data[i + 2]!;
      re[y * N + x] = v;
      mean += v;
    }
  }
  mean /= N * N;
  for (let y = 0; y < N; y++) for (let x = 0; x < N; x++) re[y * N + x] = (re[y * N + x]! - mean) * HANN[y]! * HANN[x]!;
  return re;
}

/** In-place 2-D FFT: rows, then columns. */
function fft2d(re: Float64Array, im: Float64Array): void {
  const row = new Float64Array(N), rowI = new Float64Array(N);
  for (let y = 0; y < N; y++) {
    row.set(re.subarray(y * N, (y + 1) * N)); rowI.fill(0);
    fft(row, rowI);
    re.set(row, y * N); im.set(rowI, y * N);
  }
  const col = new Float64Array(N), colI = new Float64Array(N);
  for (let x = 0; x < N; x++) {
    for (let y = 0; y < N; y++) { col[y] = re[y * N + x]!; colI[y] = im[y * N + x]!; }
    fft(col, colI);
    for (let y = 0; y < N; y++) { re[y * N + x] = col[y]!; im[y * N + x] = colI[y]!; }
  }
}

/** Padded side: the spectrum with a 3-bin wrap-around border, so neighbourhood reads need no modulo. */
const P = N + 6;

function paddedMagnitudes(re: Float64Array, im: Float64Array): Float64Array {
  const mag = new Float64Array(P * P);
  for (let v = -3; v < N + 3; v++) {
    const sv = ((v + N) % N) * N;
    for (let u = -3; u < N + 3; u++) {
      const i = sv + ((u + N) % N);
      mag[(v + 3) * P + u + 3] = Math.sqrt(re[i]! * re[i]! + im[i]! * im[i]!);
    }
  }
  return mag;
}

function peakProminence(mag: Float64Array): number {
  const fr = (k: number) => (k < N / 2 ? k : k - N);
  let best = 0;
  const blk = N / 8;
  for (let v = 0; v < N; v++) for (let u = 0; u <= N / 2; u++) {
    const fu = fr(u), fv = fr(v);
    const r2 = fu * fu + fv * fv;
    if (r2 < 100 || r2 > (N / 2 - 2) * (N / 2 - 2)) continue;
    if (Math.abs(fu) <= 3 || Math.abs(fv) <= 3) continue; // axes: picture edges, straight lines
    if (Math.abs(fu) % blk <= 1 || Math.abs(fu) % blk >= blk - 1 || Math.abs(fv) % blk <= 1 || Math.abs(fv) % blk >= blk - 1) continue; // JPEG 8-px block grid
    const c = (v + 3) * P + u + 3;
    const m = mag[c]!;
    // local maximum among the 8 neighbours first (cheap), then its prominence over the ring of bins
    // 2–3 away (the Hann window spreads a pure tone over ±1 bin)
    let isMax = true;
    for (let dv = -1; dv <= 1 && isMax; dv++) for (let du = -1; du <= 1; du++) if ((du || dv) && mag[c + dv * P + du]! > m) { isMax = false; break; }
    if (!isMax) continue;
    let ref = 0, n = 0;
    for (let dv = -3; dv <= 3; dv++) for (let du = -3; du <= 3; du++) {
      if (Math.max(Math.abs(du), Math.abs(dv)) < 2) continue;
      ref += mag[c + dv * P + du]!;
      n++;
    }
    const prom = m / (ref / n + 1e-6);
    if (prom > best) best = prom;
  }
  return best;
}
