/**
 * Building the score calibration from impostor (different-person) similarities.
 *
 * The score is anchored on false-accept rates (Tencent CompareFace 2.0 convention, see
 * docs/face-comparison.md): score = 40 + 10·log10(1/FAR) in the tail, i.e. 60 ↔ 1e-2,
 * 70 ↔ 1e-3, 80 ↔ 1e-4, 90 ↔ 1e-5, plus 50 ↔ 1e-1 and 20 ↔ the impostor median (`farAt80`
 * shifts the whole scale if the product wants another operating point). A few thousand
 * impostor pairs cannot resolve 1e-4 or 1e-5 directly, so the upper tail is modelled: the
 * similarity at FAR f is fitted as a straight line in z = Φ⁻¹(1 − f) over the well-measured range
 * 1e-3 ≤ f ≤ 3e-2 (a Gaussian whose mean and spread are those of the tail, not of the whole
 * distribution, so a heavier-than-Gaussian tail is followed), then extrapolated.
 */

/** Φ⁻¹(p), Acklam's rational approximation (relative error < 1.2e-9). */
export function inverseNormalCdf(p: number): number {
  if (!(p > 0 && p < 1)) throw new RangeError(`p must be in (0,1), got ${p}`);
  const a = [-3.969683028665376e1, 2.209460984245205e2, -2.759285104469687e2, 1.38357751867269e2, -3.066479806614716e1, 2.506628277459239];
  const b = [-5.447609879822406e1, 1.615858368580409e2, -1.556989798598866e2, 6.680131188771972e1, -1.328068155288572e1];
  const c = [-7.784894002430293e-3, -3.223964580411365e-1, -2.400758277161838, -2.549732539343734, 4.374664141464968, 2.938163982698783];
  const d = [7.784695709041462e-3, 3.224671290700398e-1, 2.445134137142996, 3.754408661907416];
  const lo = 0.02425;
  if (p < lo) {
    const q = Math.sqrt(-2 * Math.log(p));
    return (((((c[0]! * q + c[1]!) * q + c[2]!) * q + c[3]!) * q + c[4]!) * q + c[5]!) / ((((d[0]! * q + d[1]!) * q + d[2]!) * q + d[3]!) * q + 1);
  }
  if (p > 1 - lo) return -inverseNormalCdf(1 - p);
  const q = p - 0.5;
  const r = q * q;
  return ((((((a[0]! * r + a[1]!) * r + a[2]!) * r + a[3]!) * r + a[4]!) * r + a[5]!) * q) / (((((b[0]! * r + b[1]!) * r + b[2]!) * r + b[3]!) * r + b[4]!) * r + 1);
}

/** Upper-tail quantile: the similarity that a fraction `far` of the (weighted) impostors reach. */
export function upperQuantile(values: readonly number[], far: number, weights?: readonly number[]): number {
  const idx = values.map((_, i) => i).sort((i, j) => values[j]! - values[i]!);
  const w = (i: number): number => (weights ? weights[i]! : 1);
  const total = idx.reduce((s, i) => s + w(i), 0);
  const target = far * total;
  let cum = 0;
  for (const i of idx) {
    cum += w(i);
    if (cum >= target) return values[i]!;
  }
  return values[idx[idx.length - 1]!]!;
}

export interface TailFit {
  /** similarity = intercept + slope · Φ⁻¹(1 − FAR) */
  intercept: number;
  slope: number;
  farRange: [number, number];
  impostorCount: number;
}

export const TAIL_FIT_RANGE: [number, number] = [1e-3, 3e-2];

/** Least-squares line through the empirical tail quantiles at 24 log-spaced FARs in `range`. */
export function fitImpostorTail(values: readonly number[], weights?: readonly number[], range: [number, number] = TAIL_FIT_RANGE): TailFit {
  const n = 24;
  const xs: number[] = [], ys: number[] = [];
  for (let k = 0; k < n; k++) {
    const far = Math.exp(Math.log(range[0]) + ((Math.log(range[1]) - Math.log(range[0])) * k) / (n - 1));
    xs.push(inverseNormalCdf(1 - far));
    ys.push(upperQuantile(values, far, weights));
  }
  const mx = xs.reduce((s, x) => s + x, 0) / n, my = ys.reduce((s, y) => s + y, 0) / n;
  let sxy = 0, sxx = 0;
  for (let k = 0; k < n; k++) {
    sxy += (xs[k]! - mx) * (ys[k]! - my);
    sxx += (xs[k]! - mx) ** 2;
  }
  const slope = sxy / sxx;
  return { intercept: my - slope * mx, slope, farRange: range, impostorCount: values.length };
}

export function similarityAtFar(fit: TailFit, far: number): number {
  return fit.intercept + fit.slope * inverseNormalCdf(1 - far);
}

/** Default: 80 ↔ FAR 1e-4, so score = 40 + 10·log10(1/FAR) (ten points per decade of FAR). */
export const DEFAULT_FAR_AT_80 = 1e-4;

/** score = 80 + 10·log10(farAt80 / FAR) */
export const scoreForFar = (far: number, farAt80 = DEFAULT_FAR_AT_80): number => 80 + 10 * Math.log10(farAt80 / far);

export interface Anchor {
  far: number;
  similarity: number;
  score: number;
}

/**
 * Anchors and knots: impostor median → 20, FAR 1e-1 → `scoreForFar` (empirical quantile), FAR
 * 1e-2 … 1e-6 → `scoreForFar` (tail fit); anchors whose score falls outside (20, 100) are dropped.
 * End knots: cosine −1 → 0 and 1 → 100. Similarities are rounded to 1e-4.
 */
export function buildKnots(
  values: readonly number[],
  fit: TailFit,
  weights?: readonly number[],
  farAt80 = DEFAULT_FAR_AT_80,
): { anchors: Anchor[]; knots: Array<{ similarity: number; score: number }> } {
  const r = (x: number): number => Math.round(x * 1e4) / 1e4;
  const sc = (far: number): number => Math.round(scoreForFar(far, farAt80) * 100) / 100;
  const anchors: Anchor[] = [
    { far: 0.5, similarity: r(upperQuantile(values, 0.5, weights)), score: 20 },
    { far: 1e-1, similarity: r(upperQuantile(values, 1e-1, weights)), score: sc(1e-1) },
    // the requested FAR itself is always an anchor, so 80 sits exactly on it
    ...[...new Set([1e-2, 1e-3, 1e-4, 1e-5, 1e-6, farAt80])].sort((a, b) => b - a).map((far) => ({ far, similarity: r(similarityAtFar(fit, far)), score: sc(far) })),
  ].filter((a) => a.far === 0.5 || (a.score > 20 && a.score < 100));
  const knots = [{ similarity: -1, score: 0 }, ...anchors.map((a) => ({ similarity: a.similarity, score: a.score })), { similarity: 1, score: 100 }];
  for (let i = 1; i < knots.length; i++) {
    if (!(knots[i]!.similarity > knots[i - 1]!.similarity)) {
      throw new Error(`calibration knots are not increasing at ${JSON.stringify(knots[i])}: impostor similarities are degenerate`);
    }
  }
  return { anchors, knots };
}

/**
 * Identity bootstrap of the similarity at `far`: the people are resampled with replacement (a fixed
 * seed, so runs agree), each impostor comparison weighted by how often both its people were drawn,
 * and the tail refitted. Says how far the line could move with other people, which a count of
 * comparisons cannot. Returns the refitted similarities, ascending (resamples leaving fewer than
 * `minComparisons` are skipped).
 */
export function identityBootstrap<P>(
  similarities: readonly number[],
  people: ReadonlyArray<readonly [P, P]>,
  far: number,
  opts: { resamples?: number; range?: [number, number]; minComparisons?: number } = {},
): number[] {
  const everyone = [...new Set(people.flat())];
  let seed = 12345;
  const rand = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
  const out: number[] = [];
  for (let b = 0; b < (opts.resamples ?? 200); b++) {
    const drawn = new Map<P, number>();
    for (let k = 0; k < everyone.length; k++) {
      const id = everyone[Math.floor(rand() * everyone.length)]!;
      drawn.set(id, (drawn.get(id) ?? 0) + 1);
    }
    const w = people.map(([x, y]) => (drawn.get(x) ?? 0) * (drawn.get(y) ?? 0));
    const vals = similarities.filter((_, k) => w[k]! > 0), ws = w.filter((x) => x > 0);
    if (vals.length >= (opts.minComparisons ?? 50)) out.push(similarityAtFar(fitImpostorTail(vals, ws, opts.range), far));
  }
  return out.sort((x, y) => x - y);
}

/** The p-quantile of an ascending list (nearest rank, as the reports print it). */
export const sortedQuantile = (sorted: readonly number[], p: number): number => sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))]!;
