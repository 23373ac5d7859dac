import sharp from "sharp";
import type { RgbImage } from "@gradphoto/vision";
import { labelComponents } from "./components.js";
import { detectStep } from "./detect.js";
import { landmarkStep } from "./landmarks.js";
import { deltaE2000, median, quantile, rgbToLab } from "./pixels.js";
import { DEFAULT_SPEC } from "./spec.js";

/** What the JPEG container says, read from its markers (independent of how it was written). */
export interface JpegInfo {
  width: number;
  height: number;
  components: number;
  /** SOF0 (baseline DCT) */
  baseline: boolean;
  progressive: boolean;
  /** JFIF density, when units are dots per inch */
  dpi: number | null;
  /** APPn segments other than JFIF APP0 (EXIF, XMP, ICC, …) and COM segments */
  extraSegments: string[];
  /** IJG quality estimated from the luminance quantisation table */
  quality: number | null;
  bytes: number;
}

const STD_LUMA = [16, 11, 10, 16, 24, 40, 51, 61, 12, 12, 14, 19, 26, 58, 60, 55, 14, 13, 16, 24, 40, 57, 69, 56, 14, 17, 22, 29, 51, 87, 80, 62, 18, 22, 37, 56, 68, 109, 103, 77, 24, 35, 55, 64, 81, 104, 113, 92, 49, 64, 78, 87, 103, 121, 120, 101, 72, 92, 95, 98, 112, 100, 103, 99];

export function inspectJpeg(buf: Uint8Array): JpegInfo {
  const info: JpegInfo = { width: 0, height: 0, components: 0, baseline: false, progressive: false, dpi: null, extraSegments: [], quality: null, bytes: buf.length };
  if (buf[0] !== 0xff || buf[1] !== 0xd8) throw new Error("not a JPEG");
  let i = 2;
  while (i + 4 <= buf.length) {
    if (buf[i] !== 0xff) break;
    const marker = buf[i + 1]!;
    if (marker === 0xd9 || marker === 0xda) break;
    const len = (buf[i + 2]! << 8) | buf[i + 3]!;
    const seg = buf.subarray(i + 4, i + 2 + len);
    if (marker === 0xe0 && String.fromCharCode(...seg.subarray(0, 5)) === "JFIF\0") {
      if (seg[7] === 1) info.dpi = (seg[8]! << 8) | seg[9]!;
    } else if ((marker >= 0xe0 && marker <= 0xef) || marker === 0xfe) {
      const tag = String.fromCharCode(...seg.subarray(0, Math.min(12, seg.length))).replace(/\0.*$/s, "");
      info.extraSegments.push(`${marker === 0xfe ? "COM" : `APP${marker - 0xe0}`}${tag ? `:${tag}` : ""}`);
    } else if (marker === 0xdb) {
      // DQT: first table with id 0 (luminance), 8-bit precision
      let k = 0;
      while (k < seg.length) {
        const pq = seg[k]! >> 4, tq = seg[k]! & 15;
        const n = pq ? 128 : 64;
        if (tq === 0 && !pq && info.quality === null) {
          const q = Array.from(seg.subarray(k + 1, k + 65));
          // zig-zag order does not matter for the mean ratio
          const zz = zigzagToNatural(q);
          const scale = median(zz.map((v, j) => (v * 100) / STD_LUMA[j]!));
          info.quality = scale <= 100 ? Math.round((200 - scale) / 2) : Math.round(5000 / scale);
        }
        k += 1 + n;
      }
    } else if (marker === 0xc0 || marker === 0xc1 || marker === 0xc2) {
      info.baseline = marker === 0xc0;
      info.progressive = marker === 0xc2;
      info.height = (seg[1]! << 8) | seg[2]!;
      info.width = (seg[3]! << 8) | seg[4]!;
      info.components = seg[5]!;
    }
    i += 2 + len;
  }
  return info;
}

const ZZ = [0, 1, 8, 16, 9, 2, 3, 10, 17, 24, 32, 25, 18, 11, 4, 5, 12, 19, 26, 33, 40, 48, 41, 34, 27, 20, 13, 6, 7, 14, 21, 28, 35, 42, 49, 56, 57, 50, 43, 36, 29, 22, 15, 23, 30, 37, 44, 51, 58, 59, 52, 45, 38, 31, 39, 46, 53, 60, 61, 54, 47, 55, 62, 63];
function zigzagToNatural(q: number[]): number[] {
  const out = new Array<number>(64);
  for (let k = 0; k < 64; k++) out[ZZ[k]!] = q[k]!;
  return out;
}

/** Geometry, background and halo of a finished photo, measured on its pixels only. */
export interface OutputMeasurement {
  width: number;
  height: number;
  /** first row from the top whose central band differs from the background colour */
  headTop: number | null;
  /** re-detected eyes and cheek-to-cheek width */
  eyeLine: number | null;
  faceWidth: number | null;
  centreOffset: number | null;
  /** CIEDE2000 of background pixels to the target colour: mean and 99th percentile */
  bgDeltaE: number;
  bgDeltaEp99: number;
  /** halo: per outline scanline, edge pixels whose colour is a remnant of the old background */
  haloMedian: number;
  haloP95: number;
  haloShare2: number;
  /**
   * clean edges: pixels of small (≤ 64 px) specks — background colour enclosed by the subject (pinholes
   * in a ragged edge) or subject colour cut off from it (flecks floating in the background)
   */
  specks: number;
  /**
   * shoulder outline roughness: mean distance (px) of the top outline below the chin from its running
   * median over 9 columns, where the outline is not steep (a clean shoulder line ≈ 0–0.3; a frayed or
   * notched one more); null without a face or with fewer than 20 such columns
   */
  shoulderRoughness: number | null;
  /** frayed shoulder edge: mean count of background-coloured pixels in the 10 px below that outline */
  shoulderFray: number | null;
}

/**
 * Independent measurement of an output photo (used by the evaluation and the tests): faces are
 * re-detected on the output, the background is sampled where the subject is absent, the head top
 * is found by colour difference to the target, and the outline is scanned for halo pixels.
 */
export async function measureOutput(jpeg: Uint8Array, target: readonly [number, number, number], opts: { oldBackground?: readonly [number, number, number]; debug?: number[] } = {}): Promise<OutputMeasurement> {
  const { data, info } = await sharp(jpeg).removeAlpha().raw().toBuffer({ resolveWithObject: true });
  const img: RgbImage = { data: new Uint8Array(data.buffer, data.byteOffset, data.length), width: info.width, height: info.height };
  const W = img.width, H = img.height;
  const tLab = rgbToLab(...target);
  const labCache = new Map<number, [number, number, number]>();
  const dECache = new Map<number, number>();
  const labAt = (x: number, y: number) => {
    const i = (y * W + x) * 3;
    const key = (img.data[i]! << 16) | (img.data[i + 1]! << 8) | img.data[i + 2]!;
    let l = labCache.get(key);
    if (!l) labCache.set(key, (l = rgbToLab(img.data[i]!, img.data[i + 1]!, img.data[i + 2]!)));
    return l;
  };
  const dE = (x: number, y: number) => {
    const i = (y * W + x) * 3;
    const key = (img.data[i]! << 16) | (img.data[i + 1]! << 8) | img.data[i + 2]!;
    let d = dECache.get(key);
    if (d === undefined) dECache.set(key, (d = deltaE2000(labAt(x, y), tLab)));
    return d;
  };

  // background mask by colour: ΔE < 6 to the target
  const isBg = new Uint8Array(W * H);
  for (let y = 0; y < H; y++) for (let x = 0; x < W; x++) isBg[y * W + x] = dE(x, y) < 6 ? 1 : 0;

  // head top: first row where ≥ 15 % of the central third is not background
  let headTop: number | null = null;
  const c0 = Math.round(W / 3), c1 = Math.round((2 * W) / 3);
  for (let y = 0; y < H && headTop === null; y++) {
    let n = 0;
    for (let x = c0; x < c1; x++) if (!isBg[y * W + x]) n++;
    if (n >= 0.15 * (c1 - c0)) headTop = y;
  }

  // background statistics: pixels ≥ 4 px from any non-background pixel (the uniform area)
  const far = erode(isBg, W, H, 4);
  const bgVals: number[] = [];
  for (let y = 0; y < H; y += 2) for (let x = 0; x < W; x += 2) if (far[y * W + x]) bgVals.push(dE(x, y));
  // plus every pixel above the head, even if it is not close to the target (a wrong background must count)
  for (let y = 0; y < Math.max(0, (headTop ?? 0) - 6); y += 2) for (let x = 0; x < W; x += 4) bgVals.push(dE(x, y));

  // halo: scan the outline from the background side (rows above the shoulders, both sides; columns
  // from the top). An edge pixel is halo when it is not a mix of the new background and the subject
  // (off the T–F colour line) and, if the old background colour O is known, closer to a mix of the old
  // background and the subject (the O–F line): i.e. a fringe of the old background.
  const oLab = opts.oldBackground ? rgbToLab(...opts.oldBackground) : null;
  const halos: number[] = [];
  const scan = (pts: Array<[number, number]>) => {
    let k = 0;
    while (k < pts.length && isBg[pts[k]![1] * W + pts[k]![0]]) k++;
    if (k === 0 || k + 12 >= pts.length) return;
    const inner = pts.slice(k + 6, k + 12).map(([x, y]) => labAt(x, y));
    const F = [0, 1, 2].map((c) => median(inner.map((l) => l[c]!))) as [number, number, number];
    let halo = 0;
    for (let j = k; j < k + 6; j++) {
      const c = labAt(pts[j]![0], pts[j]![1]);
      const dNew = segmentDistance(c, tLab, F);
      if (dNew > 12 && (!oLab || segmentDistance(c, oLab, F) < dNew - 6)) {
        halo++;
        opts.debug?.push(pts[j]![1] * W + pts[j]![0]);
      }
    }
    halos.push(halo);
  };
  const yEnd = headTop === null ? 0 : Math.min(H - 1, headTop + Math.round(0.45 * H));
  for (let y = headTop ?? H; y < yEnd; y += 2) {
    scan(Array.from({ length: W }, (_, x) => [x, y] as [number, number]));
    scan(Array.from({ length: W }, (_, x) => [W - 1 - x, y] as [number, number]));
  }
  // columns from the top across the whole width: the hair and the shoulders
  for (let x = 0; x < W; x += 2) scan(Array.from({ length: H }, (_, y) => [x, y] as [number, number]));

  // re-detected face
  let eyeLine: number | null = null, faceWidth: number | null = null, centreOffset: number | null = null;
  const faces = await detectStep(img, DEFAULT_SPEC.thresholds);
  if (faces.main) {
    const lm = await landmarkStep(img, faces.main, { expression: false });
    eyeLine = lm.eyeCentre.y;
    faceWidth = lm.faceWidth;
    centreOffset = (lm.points[0]!.x + lm.points[16]!.x) / 2 - W / 2;
  }
  // the top outline (first non-background row of every column) below the chin: the shoulders
  let shoulderRoughness: number | null = null, shoulderFray: number | null = null;
  if (eyeLine !== null && faceWidth !== null) {
    const top = new Int32Array(W).fill(-1);
    for (let x = 0; x < W; x++) for (let y = 0; y < H; y++) if (!isBg[y * W + x]) { top[x] = y; break; }
    const devs: number[] = [], holes: number[] = [];
    for (let x = 4; x < W - 4; x++) {
      // shoulder line only: below the chin, and not where the outline turns steep (the sides of the
      // body, the photo's edge), whose slope alone would count as roughness
      if (top[x]! < eyeLine + faceWidth || top[x - 4]! < 0 || top[x + 4]! < 0 || Math.abs(top[x + 4]! - top[x - 4]!) > 12) continue;
      const win: number[] = [];
      for (let k = -4; k <= 4; k++) if (top[x + k]! >= 0) win.push(top[x + k]!);
      devs.push(Math.abs(top[x]! - median(win)));
      // pixels of the background colour in the first 10 px below the outline: a frayed edge's pinholes
      let n = 0;
      for (let y = top[x]! + 1; y <= Math.min(H - 1, top[x]! + 10); y++) if (isBg[y * W + x]) n++;
      holes.push(n);
    }
    if (devs.length >= 20) {
      shoulderRoughness = devs.reduce((s, v) => s + v, 0) / devs.length;
      shoulderFray = holes.reduce((s, v) => s + v, 0) / holes.length;
    }
  }
  return {
    width: W,
    height: H,
    headTop,
    eyeLine,
    faceWidth,
    centreOffset,
    bgDeltaE: bgVals.length ? bgVals.reduce((s, v) => s + v, 0) / bgVals.length : NaN,
    bgDeltaEp99: bgVals.length ? quantile(bgVals, 0.99) : NaN,
    haloMedian: halos.length ? median(halos) : 0,
    haloP95: halos.length ? quantile(halos, 0.95) : 0,
    haloShare2: halos.length ? halos.filter((h) => h >= 2).length / halos.length : 0,
    specks: speckPixels(isBg, W, H, 64),
    shoulderRoughness,
    shoulderFray,
  };
}

/**
 * Pixels in small components: background-coloured ones not connected to the background that touches
 * the top or side edges, and subject-coloured ones not connected to the largest subject component.
 */
function speckPixels(isBg: Uint8Array, W: number, H: number, maxArea: number): number {
  const { value, area, x0, x1, y0 } = labelComponents(isBg, W, H);
  let largestSubject = -1;
  for (let id = 0; id < area.length; id++) if (!value[id] && (largestSubject < 0 || area[id]! > area[largestSubject]!)) largestSubject = id;
  let n = 0;
  for (let id = 0; id < area.length; id++) {
    const small = area[id]! <= maxArea;
    const touches = x0[id] === 0 || x1[id] === W - 1 || y0[id] === 0; // the top or a side edge
    if (value[id] ? small && !touches : small && id !== largestSubject) n += area[id]!;
  }
  return n;
}

function erode(mask: Uint8Array, W: number, H: number, r: number): Uint8Array {
  // a pixel survives when every pixel in its (2r+1)² window is set (two separable passes)
  const tmp = new Uint8Array(W * H), out = new Uint8Array(W * H);
  for (let y = 0; y < H; y++) {
    let run = 0;
    const row = new Int32Array(W);
    for (let x = 0; x < W; x++) { run = mask[y * W + x] ? run + 1 : 0; row[x] = run; }
    for (let x = 0; x < W; x++) {
      const xe = Math.min(W - 1, x + r);
      tmp[y * W + x] = row[xe]! >= xe - Math.max(0, x - r) + 1 ? 1 : 0;
    }
  }
  for (let x = 0; x < W; x++) {
    let run = 0;
    const col = new Int32Array(H);
    for (let y = 0; y < H; y++) { run = tmp[y * W + x] ? run + 1 : 0; col[y] = run; }
    for (let y = 0; y < H; y++) {
      const ye = Math.min(H - 1, y + r);
      out[y * W + x] = col[ye]! >= ye - Math.max(0, y - r) + 1 ? 1 : 0;
    }
  }
  return out;
}

/** Euclidean Lab distance from c to the segment a–b. */
function segmentDistance(c: readonly number[], a: readonly number[], b: readonly number[]): number {
  const ab = [b[0]! - a[0]!, b[1]! - a[1]!, b[2]! - a[2]!];
  const ac = [c[0]! - a[0]!, c[1]! - a[1]!, c[2]! - a[2]!];
  const l2 = ab[0]! ** 2 + ab[1]! ** 2 + ab[2]! ** 2;
  const t = l2 > 0 ? Math.max(0, Math.min(1, (ac[0]! * ab[0]! + ac[1]! * ab[1]! + ac[2]! * ab[2]!) / l2)) : 0;
  return Math.hypot(ac[0]! - t * ab[0]!, ac[1]! - t * ab[1]!, ac[2]! - t * ab[2]!);
}
