import { jsQR, type QRCode } from "./jsqr.js";
import { CaptureCodeError } from "../errors.js";
import { binarize, binarizeForModule } from "./binarize.js";
import { findFinderCandidates, pairRegions, symbolRegions, type SymbolRegion } from "./finder.js";
import { clampRect, cropResize, invert, rotate, stats, stretch, toRgba, type Gray } from "./gray.js";
import { DEFAULT_LIMITS, loadGray, probeImage, type ImageInfo, type ImageLimits } from "./load.js";

export interface DecodeQrOptions {
  /**
   * Wall-clock budget in milliseconds (default 3000): once spent, no further fallback strategy is
   * started. The first three steps (finder crops, whole working image, high-resolution finder
   * search) always run, so results do not depend on machine load.
   */
  timeBudgetMs?: number;
  limits?: Partial<ImageLimits>;
  /** Pixel count of the first, reduced working image (default 1.2 MP). */
  workingPixels?: number;
  /** Pixel count of the high-resolution image used for small codes in large pictures (default 16 MP). */
  detailPixels?: number;
  /** Called for every jsQR attempt (debugging and evaluation). */
  onAttempt?: (a: { strategy: string; width: number; height: number; ms: number; ok: boolean; image: Gray }) => void;
}

export interface QrDecodeResult {
  /**
   * The QR payload. UTF-8 text normally; when a byte segment is not valid UTF-8 (binary or a
   * legacy encoding) the payload bytes are returned as `base64:<…>` so nothing is lost or guessed.
   */
  text: string;
  encoding: "utf8" | "base64";
  /** Payload bytes as decoded (all segments). */
  bytes: Uint8Array;
  version: number;
  /** Name of the strategy that read the code. */
  strategy: string;
  attempts: number;
  elapsedMs: number;
  image: { format: string; width: number; height: number };
}

interface Accepted {
  text: string;
  encoding: "utf8" | "base64";
  bytes: Uint8Array;
  version: number;
}

/**
 * Turn a jsQR result into a payload, or reject it. jsQR returns a result only when every
 * Reed–Solomon block corrected cleanly and the segment stream parsed to its end, so the text
 * carries the symbol's own integrity check. We additionally refuse empty payloads and never
 * return a lossy text for undecodable byte segments.
 */
export function acceptResult(r: QRCode | null): Accepted | null {
  if (!r) return null;
  const bytes = Uint8Array.from(r.binaryData);
  if (bytes.length === 0 && r.data.length === 0) return null;
  const lossy = r.chunks.some((c) => (c.type === "byte" || c.type === "kanji") && "bytes" in c && c.bytes.length > 0 && !("text" in c && (c as { text?: string }).text));
  if (lossy) {
    return { text: `base64:${Buffer.from(bytes).toString("base64")}`, encoding: "base64", bytes, version: r.version };
  }
  if (r.data.length === 0) return null;
  return { text: r.data, encoding: "utf8", bytes, version: r.version };
}

class Budget {
  readonly t0 = performance.now();
  constructor(readonly ms: number) {}
  elapsed(): number {
    return performance.now() - this.t0;
  }
  exhausted(): boolean {
    return this.elapsed() > this.ms;
  }
}

class Found extends Error {
  constructor(
    readonly result: Accepted,
    readonly strategy: string,
  ) {
    super("found");
  }
}

/** Decode the QR code in an image with a multi-strategy pipeline; throws CaptureCodeError. */
export async function decodeQrImage(input: Uint8Array, opts: DecodeQrOptions = {}): Promise<QrDecodeResult> {
  const limits: ImageLimits = { ...DEFAULT_LIMITS, ...opts.limits };
  const budget = new Budget(opts.timeBudgetMs ?? 3000);
  const info = await probeImage(input, limits);
  let attempts = 0;

  // Steps 1–3 of the pipeline always run (they are bounded: a few small crops and two passes over
  // the working image), so that what is read does not depend on how busy the machine is; the
  // budget cuts the fallbacks after them.
  let essential = true;
  const attempt = (strategy: string, img: Gray): void => {
    if (!essential && budget.exhausted()) throw new OutOfTime();
    attempts++;
    const t = performance.now();
    const r = jsQR(toRgba(img), img.width, img.height, { inversionAttempts: "dontInvert" });
    const ok = acceptResult(r);
    opts.onAttempt?.({ strategy, width: img.width, height: img.height, ms: performance.now() - t, ok: !!ok, image: img });
    if (ok) throw new Found(ok, strategy);
  };

  try {
    await runStrategies(input, info, limits, opts, attempt, () => {
      essential = false;
    });
  } catch (e) {
    if (e instanceof Found) {
      return {
        ...e.result,
        strategy: e.strategy,
        attempts,
        elapsedMs: budget.elapsed(),
        image: { format: info.format, width: info.width, height: info.height },
      };
    }
    if (e instanceof OutOfTime) {
      throw new CaptureCodeError("CODE_UNREADABLE", `time budget of ${budget.ms} ms spent after ${attempts} attempts`);
    }
    throw e;
  }
  throw new CaptureCodeError("CODE_UNREADABLE", `no QR code found after ${attempts} attempts`);
}

class OutOfTime extends Error {}

async function runStrategies(
  input: Uint8Array,
  info: ImageInfo,
  limits: ImageLimits,
  opts: DecodeQrOptions,
  attempt: (strategy: string, img: Gray) => void,
  endOfEssentials: () => void,
): Promise<void> {
  const pixels = info.width * info.height;
  const workingPixels = opts.workingPixels ?? 1_200_000;
  const detailPixels = opts.detailPixels ?? 16_000_000;
  const baseScale = Math.min(1, Math.sqrt(workingPixels / pixels));
  const base = await loadGray(input, info, baseScale, limits);
  const st = stats(base);
  const dark = st.mean < 100;

  // High-resolution image, decoded lazily: only small codes in large pictures need it.
  let detail: Gray | null = null;
  let detailScale = 1;
  const loadDetail = async (): Promise<Gray | null> => {
    if (baseScale >= 1) return null;
    if (!detail) {
      detailScale = Math.min(1, Math.sqrt(detailPixels / pixels));
      if (detailScale <= baseScale * 1.2) return null;
      detail = await loadGray(input, info, detailScale, limits);
    }
    return detail;
  };

  /** Cut a region out (from the detailed image when modules are small), resample to ~5 px per module. */
  const cropRegion = async (region: SymbolRegion, src: Gray, srcScale: number): Promise<{ crop: Gray; module: number } | null> => {
    let from = src;
    let fromScale = srcScale;
    if (region.module < 3) {
      const d = await loadDetail();
      if (d) {
        from = d;
        fromScale = detailScale;
      }
    }
    const k = fromScale / srcScale;
    const rect = clampRect(
      { left: region.rect.left * k, top: region.rect.top * k, width: region.rect.width * k, height: region.rect.height * k },
      from.width,
      from.height,
    );
    if (!rect) return null;
    const moduleHere = region.module * k;
    // ~5 px per module, but never more than ~1000 px a side: even a version-40 symbol fits.
    const scale = Math.max(0.2, Math.min(4, 5 / moduleHere, 1000 / Math.max(rect.width, rect.height)));
    let crop = await cropResize(from, rect, scale);
    if (region.inverted) crop = invert(crop);
    const cs = stats(crop, 0.02, 0.98);
    return { crop: stretch(crop, cs.low, cs.high), module: moduleHere * scale };
  };

  // 1. Fast path: local threshold of the working image (window ~1/10 of the image), finder-pattern
  //    triples, and a small crop around the best one, normalised on its own contrast.
  const minSide = Math.min(base.width, base.height);
  const block = Math.max(4, Math.round(minSide / 120));
  const bin = binarize(base, { block, radius: Math.max(2, Math.round(minSide / 10 / block)), minRange: 10 });
  const candidates = findFinderCandidates(bin);
  const regions = symbolRegions(candidates, bin.width, bin.height, 3);
  // Whether anything finder-like was seen at all; the costly whole-image fallbacks below are only
  // worth running when it was (an image without any has no QR code jsQR could locate either).
  let finderSeen = candidates.some((c) => c.hits >= 2);
  const crops: Array<{ crop: Gray; module: number }> = [];
  for (const region of regions.slice(0, 2)) {
    const c = await cropRegion(region, base, baseScale);
    if (!c) continue;
    crops.push(c);
    attempt("crop", c.crop);
  }

  // 2. The whole working image, likelier polarity first (dark themes show light modules).
  if (dark) attempt("base-inverted", invert(base));
  attempt("base", base);
  if (!dark) attempt("base-inverted", invert(base));

  // 3. High resolution: finder search on the detailed image, for codes too small to be found in
  //    the working image (a thumbnail in a chat screenshot, a phone photographed from afar).
  const d = await loadDetail();
  if (d) {
    const dMin = Math.min(d.width, d.height);
    const dBlock = Math.max(4, Math.round(dMin / 200));
    const dBin = binarize(d, { block: dBlock, radius: Math.max(2, Math.round(dMin / 16 / dBlock)), minRange: 10 });
    const k = detailScale / baseScale;
    const dCandidates = findFinderCandidates(dBin);
    finderSeen ||= dCandidates.some((c) => c.hits >= 2);
    const dRegions = symbolRegions(dCandidates, d.width, d.height, 3).filter(
      (r) => !regions.some((b) => Math.abs(b.rect.left * k - r.rect.left) + Math.abs(b.rect.top * k - r.rect.top) < r.rect.width * 0.2),
    );
    for (const region of dRegions) {
      const c = await cropRegion(region, d, detailScale);
      if (!c) continue;
      crops.push(c);
      attempt("detail-crop", c.crop);
    }
  }

  endOfEssentials();

  // 4. Crops again, thresholded for their module size (blur, glare, moiré), and the third region;
  //    then our thresholded working image as a whole (jsQR's own locator on our binarisation).
  for (const c of crops) attempt("crop-threshold", binarizeForModule(c.crop, c.module, 10));
  for (const region of regions.slice(2)) {
    const c = await cropRegion(region, base, baseScale);
    if (!c) continue;
    crops.push(c);
    attempt("crop", c.crop);
    attempt("crop-threshold", binarizeForModule(c.crop, c.module, 10));
  }
  // Pairs of finder patterns whose third partner was not found (glare, blur, a logo).
  for (const region of pairRegions(candidates, bin.width, bin.height, regions)) {
    const c = await cropRegion(region, base, baseScale);
    if (!c) continue;
    crops.push(c);
    attempt("pair-crop", c.crop);
    attempt("pair-crop-threshold", binarizeForModule(c.crop, c.module, 10));
  }
  if (finderSeen) {
    attempt("base-threshold", bin);
    attempt("base-threshold-inverted", invert(bin));
  }

  // 5. Global contrast stretch of the working image (flat low-contrast cards), and the detailed
  //    image as a whole when it is of moderate size.
  if (st.high - st.low < 200) attempt("base-stretch", stretch(base, st.low, st.high));
  if (d && d.width * d.height <= 4_500_000) attempt("detail", d);

  // 6. Small images: upscale so modules get enough pixels for the locator.
  if (finderSeen && Math.max(base.width, base.height) < 900) {
    const up = await cropResize(base, null, 2);
    attempt("upscale", dark ? invert(up) : up);
  }

  // 7. Rotations: the locator's horizontal/vertical scans are weakest near 45°. Crops are cheap to
  //    rotate; the whole working image is tried once, last.
  for (const c of crops) {
    const rot = await rotate(c.crop, 45, 255);
    attempt("crop-rotate45", rot);
  }
  if (finderSeen) {
    const rot = await rotate(base, 45, Math.round(dark ? st.low : st.high));
    attempt("rotate45", dark ? invert(rot) : rot);
  }
}

/** Plain single-pass jsQR on the full-resolution image, as a baseline (no EXIF, no retries). */
export async function plainJsQr(input: Uint8Array): Promise<string | null> {
  const sharp = (await import("sharp")).default;
  const { data, info } = await sharp(input, { limitInputPixels: false }).ensureAlpha().raw().toBuffer({ resolveWithObject: true });
  // Always pass the option: jsQR copies provided options into its shared defaults.
  const r = jsQR(new Uint8ClampedArray(data.buffer, data.byteOffset, data.length), info.width, info.height, {
    inversionAttempts: "attemptBoth",
  });
  return acceptResult(r)?.text ?? null;
}
