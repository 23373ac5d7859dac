import type { Gray, Rect } from "./gray.js";

/** A finder-pattern candidate: centre and estimated module size, in image pixels. */
export interface FinderCandidate {
  x: number;
  y: number;
  module: number;
  /** how many scan lines confirmed it */
  hits: number;
  /** true when the pattern is light-on-dark (inverted code) */
  inverted: boolean;
}

/** A probable symbol: three finder patterns forming a right angle, with a crop around them. */
export interface SymbolRegion {
  rect: Rect;
  module: number;
  inverted: boolean;
  score: number;
}

const TOLERANCE = 0.6;

function ratioOk(r: readonly number[]): number {
  const total = r[0]! + r[1]! + r[2]! + r[3]! + r[4]!;
  if (total < 7) return 0;
  const m = total / 7;
  const v = m * TOLERANCE;
  if (
    Math.abs(m - r[0]!) < v &&
    Math.abs(m - r[1]!) < v &&
    Math.abs(3 * m - r[2]!) < 3 * v &&
    Math.abs(m - r[3]!) < v &&
    Math.abs(m - r[4]!) < v
  ) {
    return total;
  }
  return 0;
}

/** Walk vertically from (x, y) through dark-light-dark runs; returns [centreY, total] or null. */
function crossCheckVertical(img: Gray, x: number, y: number, dark: number, maxRun: number): [number, number] | null {
  const { data, width, height } = img;
  const isDark = (yy: number): boolean => data[yy * width + x] === dark;
  const r = [0, 0, 0, 0, 0];
  let yy = y;
  // centre run, upwards
  while (yy >= 0 && isDark(yy)) {
    r[2]!++;
    yy--;
  }
  if (yy < 0) return null;
  while (yy >= 0 && !isDark(yy) && r[1]! <= maxRun) {
    r[1]!++;
    yy--;
  }
  if (yy < 0 || r[1]! > maxRun) return null;
  while (yy >= 0 && isDark(yy) && r[0]! <= maxRun) {
    r[0]!++;
    yy--;
  }
  if (r[0]! > maxRun) return null;
  yy = y + 1;
  while (yy < height && isDark(yy)) {
    r[2]!++;
    yy++;
  }
  if (yy >= height) return null;
  while (yy < height && !isDark(yy) && r[3]! <= maxRun) {
    r[3]!++;
    yy++;
  }
  if (yy >= height || r[3]! > maxRun) return null;
  while (yy < height && isDark(yy) && r[4]! <= maxRun) {
    r[4]!++;
    yy++;
  }
  if (r[4]! > maxRun) return null;
  const total = ratioOk(r);
  if (!total) return null;
  return [yy - r[4]! - r[3]! - r[2]! / 2, total];
}

/**
 * Scan a 0/255 image for the 1:1:3:1:1 run pattern of QR finder patterns, both polarities,
 * confirm each hit vertically and merge hits into candidates.
 */
export function findFinderCandidates(img: Gray, opts: { rowStep?: number; maxCandidates?: number } = {}): FinderCandidate[] {
  const { data, width, height } = img;
  const rowStep = Math.max(1, opts.rowStep ?? 1);
  const raw: FinderCandidate[] = [];
  const runs = new Int32Array(width + 1);
  const colors = new Uint8Array(width + 1);
  for (let y = 0; y < height; y += rowStep) {
    const off = y * width;
    // run-length encode the row
    let n = 0;
    let cur = data[off]!;
    let len = 0;
    for (let x = 0; x < width; x++) {
      const v = data[off + x]!;
      if (v === cur) len++;
      else {
        runs[n] = len;
        colors[n] = cur;
        n++;
        cur = v;
        len = 1;
      }
    }
    runs[n] = len;
    colors[n] = cur;
    n++;
    let start = 0;
    const starts = new Int32Array(n);
    for (let i = 0; i < n; i++) {
      starts[i] = start;
      start += runs[i]!;
    }
    for (let i = 0; i + 4 < n; i++) {
      const r = [runs[i]!, runs[i + 1]!, runs[i + 2]!, runs[i + 3]!, runs[i + 4]!];
      const total = ratioOk(r);
      if (!total) continue;
      const dark = colors[i]!;
      const cx = Math.round(starts[i + 2]! + runs[i + 2]! / 2);
      const v = crossCheckVertical(img, cx, y, dark, Math.ceil((total / 7) * 3));
      if (!v) continue;
      const [cy, vTotal] = v;
      if (vTotal > total * 1.8 || total > vTotal * 1.8) continue;
      raw.push({ x: cx, y: cy, module: (total + vTotal) / 14, hits: 1, inverted: dark === 255 });
    }
  }
  // Merge hits that belong to the same pattern.
  const merged: FinderCandidate[] = [];
  for (const c of raw) {
    let found: FinderCandidate | undefined;
    for (const m of merged) {
      if (m.inverted !== c.inverted) continue;
      const d = Math.hypot(m.x - c.x, m.y - c.y);
      if (d < Math.max(m.module, c.module) * 2.5 && Math.max(m.module, c.module) / Math.min(m.module, c.module) < 1.8) {
        found = m;
        break;
      }
    }
    if (found) {
      const k = found.hits;
      found.x = (found.x * k + c.x) / (k + 1);
      found.y = (found.y * k + c.y) / (k + 1);
      found.module = (found.module * k + c.module) / (k + 1);
      found.hits = k + 1;
    } else merged.push({ ...c });
  }
  merged.sort((a, b) => b.hits - a.hits);
  return merged.slice(0, opts.maxCandidates ?? 24);
}

/** Group candidates into right-angled triples and return crop regions, best first. */
export function symbolRegions(cands: readonly FinderCandidate[], width: number, height: number, maxRegions = 4): SymbolRegion[] {
  const top = cands.slice(0, 16); // sorted by hits
  const regions: SymbolRegion[] = [];
  for (let i = 0; i < top.length; i++) {
    for (let j = i + 1; j < top.length; j++) {
      for (let k = j + 1; k < top.length; k++) {
        const p = [top[i]!, top[j]!, top[k]!];
        if (p[0]!.inverted !== p[1]!.inverted || p[0]!.inverted !== p[2]!.inverted) continue;
        const mods = p.map((q) => q.module);
        const mMin = Math.min(...mods);
        const mMax = Math.max(...mods);
        if (mMax / mMin > 1.8) continue;
        const runModule = (mods[0]! + mods[1]! + mods[2]!) / 3;
        // The corner is the point opposite the longest side.
        const d = (a: FinderCandidate, b: FinderCandidate): number => Math.hypot(a.x - b.x, a.y - b.y);
        const sides = [
          { len: d(p[1]!, p[2]!), corner: 0 },
          { len: d(p[0]!, p[2]!), corner: 1 },
          { len: d(p[0]!, p[1]!), corner: 2 },
        ].sort((a, b) => b.len - a.len);
        const hyp = sides[0]!;
        const s1 = sides[1]!.len;
        const s2 = sides[2]!.len;
        if (s1 / s2 > 1.7) continue;
        const expectHyp = Math.hypot(s1, s2);
        if (hyp.len / expectHyp < 0.8 || hyp.len / expectHyp > 1.2) continue;
        const c = p[hyp.corner]!;
        const others = p.filter((_, idx) => idx !== hyp.corner);
        const a = others[0]!;
        const b = others[1]!;
        // Runs were measured along rows and columns; in a symbol turned by θ they are longer by
        // 1/cos θ (θ folded into 0–45°), so correct the module size for the symbol's rotation.
        const module = runModule * Math.cos(foldedAngle(a.x - c.x, a.y - c.y));
        const modulesAcross = (s1 + s2) / 2 / module;
        if (modulesAcross < 10 || modulesAcross > 175) continue;
        const dx = a.x + b.x - c.x;
        const dy = a.y + b.y - c.y;
        const xs = [a.x, b.x, c.x, dx];
        const ys = [a.y, b.y, c.y, dy];
        const margin = module * 9 + 0.08 * Math.max(s1, s2);
        const left = Math.min(...xs) - margin;
        const topY = Math.min(...ys) - margin;
        const rect = { left, top: topY, width: Math.max(...xs) + margin - left, height: Math.max(...ys) + margin - topY };
        const clamped = clampRegion(rect, width, height);
        if (!clamped) continue;
        const shapePenalty = Math.abs(hyp.len / expectHyp - 1) * 10 + (s1 / s2 - 1) * 3 + (mMax / mMin - 1) * 3;
        const score = Math.min(p[0]!.hits, p[1]!.hits, p[2]!.hits) - shapePenalty;
        regions.push({ rect: clamped, module, inverted: p[0]!.inverted, score });
      }
    }
  }
  regions.sort((a, b) => b.score - a.score);
  const out: SymbolRegion[] = [];
  for (const r of regions) {
    if (out.some((o) => iou(o.rect, r.rect) > 0.6)) continue;
    out.push(r);
    if (out.length >= maxRegions) break;
  }
  return out;
}

/** Angle of a vector against the nearest image axis, in radians (0 … π/4). */
function foldedAngle(dx: number, dy: number): number {
  const t = Math.abs(Math.atan2(dy, dx)) % (Math.PI / 2);
  return Math.min(t, Math.PI / 2 - t);
}

/**
 * Fallback when the third finder pattern was not found (glare, blur, a logo): for strong pairs of
 * candidates with equal module size, a square around the pair large enough to hold the symbol
 * whichever side the third pattern is on. Regions overlapping `exclude` are skipped.
 */
export function pairRegions(
  cands: readonly FinderCandidate[],
  width: number,
  height: number,
  exclude: readonly SymbolRegion[],
  maxRegions = 2,
): SymbolRegion[] {
  const top = cands.filter((c) => c.hits >= 3).slice(0, 10);
  const out: SymbolRegion[] = [];
  const pairs: Array<{ a: FinderCandidate; b: FinderCandidate; score: number }> = [];
  for (let i = 0; i < top.length; i++) {
    for (let j = i + 1; j < top.length; j++) {
      const a = top[i]!;
      const b = top[j]!;
      if (a.inverted !== b.inverted) continue;
      if (Math.max(a.module, b.module) / Math.min(a.module, b.module) > 1.4) continue;
      const d = Math.hypot(a.x - b.x, a.y - b.y);
      const m = ((a.module + b.module) / 2) * Math.cos(foldedAngle(b.x - a.x, b.y - a.y));
      if (d / m < 10 || d / m > 175) continue;
      pairs.push({ a, b, score: Math.min(a.hits, b.hits) });
    }
  }
  pairs.sort((p, q) => q.score - p.score);
  for (const { a, b, score } of pairs) {
    const d = Math.hypot(a.x - b.x, a.y - b.y);
    const m = ((a.module + b.module) / 2) * Math.cos(foldedAngle(b.x - a.x, b.y - a.y));
    const half = 1.2 * d + 8 * m;
    const cx = (a.x + b.x) / 2;
    const cy = (a.y + b.y) / 2;
    const rect = clampRegion({ left: cx - half, top: cy - half, width: 2 * half, height: 2 * half }, width, height);
    if (!rect) continue;
    const region = { rect, module: m, inverted: a.inverted, score };
    if (exclude.some((e) => iou(e.rect, rect) > 0.5) || out.some((o) => iou(o.rect, rect) > 0.5)) continue;
    out.push(region);
    if (out.length >= maxRegions) break;
  }
  return out;
}

function clampRegion(r: Rect, width: number, height: number): Rect | null {
  const left = Math.max(0, Math.floor(r.left));
  const top = Math.max(0, Math.floor(r.top));
  const right = Math.min(width, Math.ceil(r.left + r.width));
  const bottom = Math.min(height, Math.ceil(r.top + r.height));
  if (right - left < 16 || bottom - top < 16) return null;
  return { left, top, width: right - left, height: bottom - top };
}

function iou(a: Rect, b: Rect): number {
  const x0 = Math.max(a.left, b.left);
  const y0 = Math.max(a.top, b.top);
  const x1 = Math.min(a.left + a.width, b.left + b.width);
  const y1 = Math.min(a.top + a.height, b.top + b.height);
  const inter = Math.max(0, x1 - x0) * Math.max(0, y1 - y0);
  return inter / (a.width * a.height + b.width * b.height - inter);
}
