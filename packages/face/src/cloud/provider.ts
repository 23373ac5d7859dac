import { PASS_THRESHOLD } from "../calibration.js";
import { lowQualityReferenceNote, type CompareResult, type FaceComparer, type ImageInput } from "../comparer.js";
import type { ReferenceQuality } from "../reference-quality.js";
import { CircuitBreaker, CloudCompareError, TencentCompareClient, type TencentCompareOptions } from "./tencent-compare.js";

/** Which comparison a campaign uses. */
export const FACE_PROVIDERS = ["local", "tencent"] as const;
export type FaceProviderName = (typeof FACE_PROVIDERS)[number];

export interface ProviderCompareResult extends CompareResult {
  /** who produced the score */
  provider: FaceProviderName;
  /** set when the cloud was chosen but the local model answered, and why */
  fallback?: { from: "tencent"; code: string; message: string };
}

export interface CloudComparer {
  compare(photo: Buffer, reference: Buffer): Promise<ProviderCompareResult>;
  readonly breaker: CircuitBreaker;
}

/**
 * Tencent Cloud CompareFace with the local model behind it: image problems (no face, too large or
 * small, undecodable) are answered by the local model, which names the image; service failures
 * (timeouts, rate limits, outages, auth) after retries count towards a circuit breaker and fall back
 * to the local model, recorded as such. Only the two images given are sent (the standardised photo
 * and the admission photo).
 */
export function createCloudComparer(opts: { tencent: TencentCompareOptions; local: FaceComparer; breaker?: CircuitBreaker; now?: () => number }): CloudComparer {
  const client = new TencentCompareClient(opts.tencent, opts.now);
  const breaker = opts.breaker ?? new CircuitBreaker(3, 30_000, opts.now);
  const { local } = opts;
  const fallback = async (photo: ImageInput, reference: ImageInput, code: string, message: string): Promise<ProviderCompareResult> => ({
    ...(await local.compare(photo, reference)),
    provider: "local",
    fallback: { from: "tencent", code, message },
  });
  return {
    breaker,
    async compare(photo, reference) {
      if (!breaker.allow()) return fallback(photo, reference, "CIRCUIT_OPEN", "腾讯云人脸比对连续失败，暂时使用本地模型");
      // The admission photo's quality is ours to judge (the low-quality referral), measured while the cloud compares.
      const quality = local.analyse(reference, "reference").then((a) => a.quality, () => undefined);
      try {
        const r = await client.compare(photo, reference);
        breaker.success();
        const q: ReferenceQuality | undefined = await quality;
        const passed = r.score >= PASS_THRESHOLD;
        const out: ProviderCompareResult = {
          score: r.score,
          passed,
          threshold: PASS_THRESHOLD,
          modelId: `tencent-iai-compareface-${r.faceModelVersion}`,
          calibrationVersion: `tencent-far-points@${r.faceModelVersion}`,
          provider: "tencent",
        };
        if (q) {
          out.referenceQuality = q;
          if (!passed && q.lowQuality) out.lowQualityReferenceNote = lowQualityReferenceNote(q);
        }
        return out;
      } catch (err) {
        await quality;
        if (!(err instanceof CloudCompareError)) throw err;
        if (!err.aboutImages) breaker.failure();
        return fallback(photo, reference, err.providerCode, err.message);
      }
    },
  };
}
