import { describe, expect, it } from "vitest";
import { pixelsInPolygon, pointInPolygon, type Polygon } from "../src/geometry.js";
import { median, quantiles, sampleRect } from "../src/pixels.js";
import { labelComponents } from "../src/components.js";

// a small deterministic generator, so a failure can be replayed
function rng(seed: number) {
  let s = seed >>> 0;
  return () => ((s = (s * 1664525 + 1013904223) >>> 0) / 2 ** 32);
}

describe("sampling helpers", () => {
  it("visits exactly the grid pixels whose centres pointInPolygon puts inside, in row order", () => {
    const r = rng(7);
    for (let t = 0; t < 300; t++) {
      const n = 3 + Math.floor(r() * 8);
      // star-shaped and self-intersecting polygons, partly outside a 60×50 picture
      const poly: Polygon = Array.from({ length: n }, () => ({ x: -10 + r() * 80, y: -10 + r() * 70 }));
      const step = 1 + Math.floor(r() * 3);
      const g = pixelsInPolygon(poly, 60, 50, step);
      const got: string[] = [];
      for (let k = 0; k < g.length; k += 2) got.push(`${g[k]},${g[k + 1]}`);
      const want: string[] = [];
      let x0 = Infinity, y0 = Infinity, x1 = -Infinity, y1 = -Infinity;
      for (const p of poly) [x0, y0, x1, y1] = [Math.min(x0, p.x), Math.min(y0, p.y), Math.max(x1, p.x), Math.max(y1, p.y)];
      for (let y = Math.max(0, Math.floor(y0)); y <= Math.min(49, Math.ceil(y1)); y += step)
        for (let x = Math.max(0, Math.floor(x0)); x <= Math.min(59, Math.ceil(x1)); x += step) if (pointInPolygon(x + 0.5, y + 0.5, poly)) want.push(`${x},${y}`);
      expect(got).toEqual(want);
    }
  });

  it("area-averages each output pixel's whole-pixel footprint, edges repeated, inside and across the image border", () => {
    const r = rng(5);
    const W = 97, H = 83;
    const data = Uint8Array.from({ length: W * H * 3 }, () => Math.floor(r() * 256));
    const img = { data, width: W, height: H };
    const px = (x: number, y: number, c: number) => data[(Math.min(H - 1, Math.max(0, y)) * W + Math.min(W - 1, Math.max(0, x))) * 3 + c]!;
    for (let t = 0; t < 200; t++) {
      const outW = 3 + Math.floor(r() * 20), outH = 3 + Math.floor(r() * 20);
      // footprints 1.3–6 px; most rects inside the picture, some crossing its edges
      const w = outW * (1.3 + r() * 4.7), h = outH * (1.3 + r() * 4.7);
      const rect = t % 4 === 0 ? { x: -8 + r() * (W - w + 16), y: -8 + r() * (H - h + 16), w, h } : { x: r() * Math.max(0, W - w - 1), y: r() * Math.max(0, H - h - 1), w, h };
      const got = sampleRect(img, rect, outW, outH);
      const sx = rect.w / outW, sy = rect.h / outH;
      for (let oy = 0; oy < outH; oy++) for (let ox = 0; ox < outW; ox++) {
        const xa = Math.floor(rect.x + ox * sx), xb = Math.max(xa + 1, Math.floor(rect.x + ox * sx + sx));
        const ya = Math.floor(rect.y + oy * sy), yb = Math.max(ya + 1, Math.floor(rect.y + oy * sy + sy));
        for (let c = 0; c < 3; c++) {
          let sum = 0;
          for (let y = ya; y < yb; y++) for (let x = xa; x < xb; x++) sum += px(x, y, c);
          expect(got.data[(oy * outW + ox) * 3 + c]).toBe(Math.floor(sum / ((xb - xa) * (yb - ya)) + 0.5));
        }
      }
    }
  });

  it("median and quantiles equal those of a full sort, ties and odd/even lengths included", () => {
    const r = rng(11);
    for (let t = 0; t < 200; t++) {
      const n = 1 + Math.floor(r() * 400);
      const levels = 1 + Math.floor(r() * 50); // few distinct values: many ties
      const v = Array.from({ length: n }, () => Math.floor(r() * levels) + (r() < 0.1 ? r() : 0));
      const before = [...v];
      const s = [...v].sort((a, b) => a - b);
      const q = (p: number) => {
        const pos = (n - 1) * p, lo = Math.floor(pos), hi = Math.ceil(pos);
        return s[lo]! + (s[hi]! - s[lo]!) * (pos - lo);
      };
      expect(median(v)).toBe(n % 2 ? s[n >> 1] : (s[(n >> 1) - 1]! + s[n >> 1]!) / 2);
      expect(quantiles(Float64Array.from(v), [0.1, 0.5, 0.9, 1])).toEqual([q(0.1), q(0.5), q(0.9), q(1)]);
      expect(v).toEqual(before); // the input is not reordered
    }
    expect(median([])).toBeNaN();
  });

  it("labels 4-connected components with their value, area and bounding box", () => {
    // a ring of 1s around a 0 hole, a lone 1 at (4,1) and a vertical bar at (4,3)–(4,4)
    const rows = ["11100", "10101", "11100", "00001", "11001"];
    const mask = Uint8Array.from(rows.join(""), (ch) => Number(ch));
    const c = labelComponents(mask, 5, 5);
    const at = (x: number, y: number) => c.label[y * 5 + x]!;
    expect(at(1, 1)).not.toBe(at(0, 0)); // the hole is its own component
    expect(c.area[at(0, 0)]).toBe(8);
    expect([c.x0[at(0, 0)], c.x1[at(0, 0)], c.y0[at(0, 0)], c.y1[at(0, 0)]]).toEqual([0, 2, 0, 2]);
    expect(at(4, 1)).not.toBe(at(4, 3)); // (4,2) is 0 between them
    expect(c.area[at(4, 3)]).toBe(2);
    expect(c.value[at(1, 1)]).toBe(0);
    const ones = labelComponents(mask, 5, 5, 1);
    expect(ones.label[1 * 5 + 1]).toBe(-1); // only the 1s are labelled
    expect(ones.value.every((v) => v === 1)).toBe(true);
    expect(ones.area.reduce((a, b) => a + b, 0)).toBe(mask.reduce((a, b) => a + b, 0));
  });
});
