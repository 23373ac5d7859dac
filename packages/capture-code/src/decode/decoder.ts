import jsQR, { type QRCode } from "jsqr";
import { CaptureCodeError } from "../errors.js";
import { binarize, binarizeForModule } from "./binarize.js";
import { findFinderCandidates, symbolRegions, type SymbolRegion } from "./finder.js";
import { clampRect, cropResize, invert, rotate, stats, stretch, toRgba, type Gray } from "./gray.js";
import { DEFAULT_LIMITS, loadGray, probeImage, type ImageInfo, type ImageLimits } from "./load.js";

export interface DecodeQrOptions {
  /** Stop trying further strategies after this many milliseconds (default 2000). */
  timeBudgetMs?: number;
  limits?: Partial<ImageLimits>;
  /** Pixel count of the first, reduced working image (default 1.2 MP). */
  workingPixels?: number;
  /** Pixel count of the high-resolution image used for small codes in large pictures (default 16 MP). */
  detailPixels?: number;
  /** Called for every jsQR attempt (debugging and evaluation). */
  onAttempt?: (a: { strategy: string; width: number; height: number; ms: number; ok: boolean }) => void;
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
  const budget = new Budget(opts.timeBudgetMs ?? 2000);
  const info = await probeImage(input, limits);
  let attempts = 0;

  const attempt = (strategy: string, img: Gray): void => {
    if (budget.exhausted()) throw new OutOfTime();
    attempts++;
    const t = performance.now();
    const r = jsQR(toRgba(img), img.width, img.height, { inversionAttempts: "dontInvert" });
    const ok = acceptResult(r);
    opts.onAttempt?.({ strategy, width: img.width, height: img.height, ms: performance.now() - t, ok: !!ok });
    if (ok) throw new Found(ok, strategy);
  };

  try {
    await runStrategies(input, info, limits, opts, budget, attempt);
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
  budget: Budget,
  attempt: (strategy: string, img: Gray) => void,
): Promise<void> {
  const pixels = info.width * info.height;
  const workingPixels = opts.workingPixels ?? 1_200_000;
  const detailPixels = opts.detailPixels ?? 16_000_000;
  const baseScale = Math.min(1, Math.sqrt(workingPixels / pixels));
  const base = await loadGray(input, info, baseScale, limits);
  const st = stats(base);
  const dark = st.mean < 100;

  // 1. The working image as is, in the likelier polarity first (dark themes show light modules).
  if (dark) attempt("base-inverted", invert(base));
  attempt("base", base);
  if (!dark) attempt("base-inverted", invert(base));

  // 2. Local thresholding with a window of about a tenth of the image: low contrast, glare, shading.
  const minSide = Math.min(base.width, base.height);
  const block = Math.max(4, Math.round(minSide / 120));
  const bin = binarize(base, { block, radius: Math.max(2, Math.round(minSide / 10 / block)), minRange: 10 });
  attempt("base-threshold", bin);
  attempt("base-threshold-inverted", invert(bin));

  // 3. Crops around finder-pattern triples found in the thresholded image, resampled to ~5 px per
  //    module and normalised on their own contrast. Small codes in large images are cut from a
  //    higher-resolution decode.
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
  const tryRegions = async (regions: SymbolRegion[], src: Gray, srcScale: number, tag: string): Promise<void> => {
    for (const region of regions) {
      let from = src;
      let fromScale = srcScale;
      // Module under ~3 px at this scale: cut the crop from the high-resolution image instead.
      if (region.module < 3) {
        const d = await loadDetail();
        if (d) {
          from = d;
          fromScale = detailScale;
        }
      }
      const k = fromScale / srcScale;
      const rect = {
        left: region.rect.left * k,
        top: region.rect.top * k,
        width: region.rect.width * k,
        height: region.rect.height * k,
      };
      const moduleHere = region.module * k;
      const scale = Math.max(0.2, Math.min(4, 5 / moduleHere));
      const r = clampRect(rect, from.width, from.height);
      if (!r) continue;
      let crop = await cropResize(from, r, scale);
      if (region.inverted) crop = invert(crop);
      const cs = stats(crop, 0.02, 0.98);
      const norm = stretch(crop, cs.low, cs.high);
      attempt(`${tag}-crop`, norm);
      attempt(`${tag}-crop-threshold`, binarizeForModule(norm, moduleHere * scale, 10));
    }
  };
  const cands = findFinderCandidates(bin);
  const regions = symbolRegions(cands, bin.width, bin.height, 3);
  await tryRegions(regions, base, baseScale, "base");

  // 4. Global contrast stretch of the working image (flat low-contrast cards).
  if (st.high - st.low < 200) attempt("base-stretch", stretch(base, st.low, st.high));

  // 5. High resolution: finder search on the detailed image (codes too small for the working image).
  const d = await loadDetail();
  if (d) {
    const dMin = Math.min(d.width, d.height);
    const dBlock = Math.max(4, Math.round(dMin / 200));
    const dBin = binarize(d, { block: dBlock, radius: Math.max(2, Math.round(dMin / 16 / dBlock)), minRange: 10 });
    const dRegions = symbolRegions(findFinderCandidates(dBin, { rowStep: 1 }), d.width, d.height, 3).filter(
      (r) => !regions.some((b) => Math.abs(b.rect.left * (detailScale / baseScale) - r.rect.left) < r.rect.width * 0.2),
    );
    await tryRegions(dRegions, d, detailScale, "detail");
    if (d.width * d.height <= 4_500_000) attempt("detail", d);
  }

  // 6. Small images: upscale so modules get enough pixels for the locator.
  if (Math.max(base.width, base.height) < 900) {
    const up = await cropResize(base, null, 2);
    attempt("upscale", up);
    attempt("upscale-inverted", invert(up));
  }

  // 7. Rotations: the locator's horizontal/vertical scans are weakest near 45°.
  for (const deg of [45, -22.5, 22.5]) {
    const rot = await rotate(base, deg, Math.round(st.high));
    attempt(`rotate${deg}`, rot);
    if (dark) attempt(`rotate${deg}-inverted`, invert(rot));
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
