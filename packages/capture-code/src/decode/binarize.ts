import type { Gray } from "./gray.js";

export interface BinarizeOptions {
  /** Block edge in pixels; statistics are gathered per block. */
  block: number;
  /** Neighbourhood radius in blocks; the threshold is the mean over (2r+1)² blocks. */
  radius: number;
  /** Neighbourhoods whose grey range is below this are treated as flat background (white). */
  minRange: number;
}

/**
 * Local mean thresholding on a block grid (row-major, O(pixels)). Unlike jsQR's own binariser it
 * has a configurable window and a low minimum dynamic range, so low-contrast codes (grey on grey,
 * a dim screen) still split into dark and light modules. Returns a 0/255 image, which jsQR's
 * binariser passes through unchanged.
 */
export function binarize(img: Gray, opts: BinarizeOptions): Gray {
  const { width: w, height: h, data: src } = img;
  const B = Math.max(2, Math.round(opts.block));
  const R = Math.max(1, Math.round(opts.radius));
  const bw = Math.ceil(w / B);
  const bh = Math.ceil(h / B);
  const nb = bw * bh;
  const sum = new Float64Array(nb);
  const cnt = new Uint32Array(nb);
  const mn = new Uint8Array(nb).fill(255);
  const mx = new Uint8Array(nb);
  const colBlock = new Uint32Array(w);
  for (let x = 0; x < w; x++) colBlock[x] = Math.floor(x / B);

  for (let y = 0; y < h; y++) {
    const rowBase = Math.floor(y / B) * bw;
    const off = y * w;
    for (let x = 0; x < w; x++) {
      const v = src[off + x]!;
      const b = rowBase + colBlock[x]!;
      sum[b]! += v;
      cnt[b]!++;
      if (v < mn[b]!) mn[b] = v;
      if (v > mx[b]!) mx[b] = v;
    }
  }

  // Summed-area table of block sums and counts for the neighbourhood mean.
  const sat = new Float64Array((bw + 1) * (bh + 1));
  const satN = new Float64Array((bw + 1) * (bh + 1));
  for (let by = 0; by < bh; by++) {
    let rowS = 0;
    let rowN = 0;
    for (let bx = 0; bx < bw; bx++) {
      rowS += sum[by * bw + bx]!;
      rowN += cnt[by * bw + bx]!;
      const i = (by + 1) * (bw + 1) + bx + 1;
      sat[i] = sat[i - (bw + 1)]! + rowS;
      satN[i] = satN[i - (bw + 1)]! + rowN;
    }
  }

  // Separable sliding min / max over the block grid.
  const rowMin = new Uint8Array(nb);
  const rowMax = new Uint8Array(nb);
  for (let by = 0; by < bh; by++) {
    for (let bx = 0; bx < bw; bx++) {
      let lo = 255;
      let hi = 0;
      const x0 = Math.max(0, bx - R);
      const x1 = Math.min(bw - 1, bx + R);
      for (let k = x0; k <= x1; k++) {
        const i = by * bw + k;
        if (mn[i]! < lo) lo = mn[i]!;
        if (mx[i]! > hi) hi = mx[i]!;
      }
      rowMin[by * bw + bx] = lo;
      rowMax[by * bw + bx] = hi;
    }
  }
  const threshold = new Float64Array(nb);
  for (let by = 0; by < bh; by++) {
    const y0 = Math.max(0, by - R);
    const y1 = Math.min(bh - 1, by + R);
    for (let bx = 0; bx < bw; bx++) {
      let lo = 255;
      let hi = 0;
      for (let k = y0; k <= y1; k++) {
        const i = k * bw + bx;
        if (rowMin[i]! < lo) lo = rowMin[i]!;
        if (rowMax[i]! > hi) hi = rowMax[i]!;
      }
      if (hi - lo < opts.minRange) {
        threshold[by * bw + bx] = -1; // flat: background
        continue;
      }
      const x0 = Math.max(0, bx - R);
      const x1 = Math.min(bw - 1, bx + R) + 1;
      const ya = y0;
      const yb = y1 + 1;
      const s = sat[yb * (bw + 1) + x1]! - sat[ya * (bw + 1) + x1]! - sat[yb * (bw + 1) + x0]! + sat[ya * (bw + 1) + x0]!;
      const n = satN[yb * (bw + 1) + x1]! - satN[ya * (bw + 1) + x1]! - satN[yb * (bw + 1) + x0]! + satN[ya * (bw + 1) + x0]!;
      // Midway between the neighbourhood mean and mid-range: robust when dark and light areas are unbalanced.
      threshold[by * bw + bx] = 0.5 * (s / n) + 0.25 * (lo + hi);
    }
  }

  const out = new Uint8Array(w * h);
  for (let y = 0; y < h; y++) {
    const rowBase = Math.floor(y / B) * bw;
    const off = y * w;
    for (let x = 0; x < w; x++) {
      const t = threshold[rowBase + colBlock[x]!]!;
      out[off + x] = src[off + x]! <= t ? 0 : 255;
    }
  }
  return { data: out, width: w, height: h };
}

/** Binarisation parameters for an expected module size (pixels) in the image. */
export function binarizeForModule(img: Gray, modulePx: number, minRange = 12): Gray {
  const block = Math.max(4, Math.min(32, Math.round(modulePx * 1.5)));
  // Window of about 8 modules each way: covers a finder pattern's 3×3 dark centre.
  const radius = Math.max(2, Math.ceil((modulePx * 8) / block));
  return binarize(img, { block, radius, minRange });
}
