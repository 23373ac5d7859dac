import type { Point } from "@gradphoto/vision";

export type Polygon = readonly Point[];

export function pointInPolygon(x: number, y: number, poly: Polygon): boolean {
  let inside = false;
  for (let i = 0, j = poly.length - 1; i < poly.length; j = i++) {
    const a = poly[i]!, b = poly[j]!;
    if (a.y > y !== b.y > y && x < ((b.x - a.x) * (y - a.y)) / (b.y - a.y) + a.x) inside = !inside;
  }
  return inside;
}

/**
 * Pixel centres inside `poly`, on a grid of `step` pixels (bounded work for big faces), row by row, as
 * interleaved x, y pairs. The edges' crossings of each row's centre line are found once, so each pixel
 * gets the same even-odd test as pointInPolygon's (same arithmetic) without walking the edges per
 * pixel. A list rather than a callback: per-photo callbacks were compiled anew by V8 for every photo.
 */
export function pixelsInPolygon(poly: Polygon, width: number, height: number, step: number): Int32Array {
  let x0 = Infinity, y0 = Infinity, x1 = -Infinity, y1 = -Infinity;
  for (const p of poly) {
    x0 = Math.min(x0, p.x); y0 = Math.min(y0, p.y); x1 = Math.max(x1, p.x); y1 = Math.max(y1, p.y);
  }
  x0 = Math.max(0, Math.floor(x0)); y0 = Math.max(0, Math.floor(y0));
  x1 = Math.min(width - 1, Math.ceil(x1)); y1 = Math.min(height - 1, Math.ceil(y1));
  const cols = x1 >= x0 ? Math.floor((x1 - x0) / step) + 1 : 0, rows = y1 >= y0 ? Math.floor((y1 - y0) / step) + 1 : 0;
  const out = new Int32Array(2 * cols * rows);
  const cross = new Float64Array(poly.length);
  let n = 0;
  for (let y = y0; y <= y1; y += step) {
    const cy = y + 0.5;
    let nc = 0;
    for (let i = 0, j = poly.length - 1; i < poly.length; j = i++) {
      const a = poly[i]!, b = poly[j]!;
      if (a.y > cy !== b.y > cy) cross[nc++] = ((b.x - a.x) * (cy - a.y)) / (b.y - a.y) + a.x;
    }
    if (nc === 0) continue;
    const row = cross.subarray(0, nc).sort();
    // inside ⇔ an odd number of crossings lie right of the pixel centre (pointInPolygon's `x < crossing`)
    let k = 0; // crossings ≤ the centre so far
    for (let x = x0; x <= x1; x += step) {
      const cx = x + 0.5;
      while (k < nc && !(cx < row[k]!)) k++;
      if ((nc - k) & 1) {
        out[n++] = x;
        out[n++] = y;
      }
    }
  }
  return out.subarray(0, n);
}

export function rectPolygon(x: number, y: number, w: number, h: number): Polygon {
  return [{ x, y }, { x: x + w, y }, { x: x + w, y: y + h }, { x, y: y + h }];
}

export const dist = (a: Point, b: Point): number => Math.hypot(a.x - b.x, a.y - b.y);
export const mid = (a: Point, b: Point): Point => ({ x: (a.x + b.x) / 2, y: (a.y + b.y) / 2 });
export const lerp = (a: Point, b: Point, t: number): Point => ({ x: a.x + (b.x - a.x) * t, y: a.y + (b.y - a.y) * t });
