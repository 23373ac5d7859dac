import { z } from "zod";
import { tc3Headers } from "./tc3.js";

/** Our codes for what Tencent Cloud's CompareFace can answer besides a score. */
export type CloudErrorCode = "NO_FACE" | "INVALID_IMAGE" | "IMAGE_TOO_LARGE" | "IMAGE_TOO_SMALL" | "RATE_LIMITED" | "AUTH_FAILED" | "TIMEOUT" | "UNAVAILABLE";

export class CloudCompareError extends Error {
  constructor(
    readonly code: CloudErrorCode,
    /** Tencent's own code, e.g. InvalidParameterValue.NoFaceInPhoto */
    readonly providerCode: string,
    message: string,
  ) {
    super(message);
    this.name = "CloudCompareError";
  }
  /** worth another attempt (the service, not the request, failed) */
  get retryable(): boolean {
    return this.code === "RATE_LIMITED" || this.code === "TIMEOUT" || this.code === "UNAVAILABLE";
  }
  /** about the images: the local model gives the precise, image-specific answer */
  get aboutImages(): boolean {
    return this.code === "NO_FACE" || this.code === "INVALID_IMAGE" || this.code === "IMAGE_TOO_LARGE" || this.code === "IMAGE_TOO_SMALL";
  }
}

/** Tencent's error codes (iai 2020-03-03 CompareFace and the common ones) → ours. */
export function mapTencentError(code: string): CloudErrorCode {
  if (code.startsWith("AuthFailure")) return "AUTH_FAILED";
  if (code === "RequestLimitExceeded" || code.startsWith("RequestLimitExceeded") || code === "FailedOperation.RequestLimitExceeded" || code.startsWith("LimitExceeded")) return "RATE_LIMITED";
  if (code === "InvalidParameterValue.NoFaceInPhoto" || code === "FailedOperation.FaceQualityNotQualified") return "NO_FACE";
  if (code === "FailedOperation.ImageSizeTooLarge" || code === "InvalidParameterValue.ImageSizeExceed" || code === "FailedOperation.ImageResolutionExceed") return "IMAGE_TOO_LARGE";
  if (code === "FailedOperation.ImageResolutionTooSmall" || code === "FailedOperation.FaceSizeTooSmall") return "IMAGE_TOO_SMALL";
  if (code === "FailedOperation.ImageDecodeFailed" || code === "InvalidParameterValue.ImageEmpty" || code === "FailedOperation.ImageDownloadError") return "INVALID_IMAGE";
  if (code === "FailedOperation.RequestTimeout") return "TIMEOUT";
  return "UNAVAILABLE";
}

const ErrorResponse = z.object({ Error: z.object({ Code: z.string(), Message: z.string() }), RequestId: z.string() });
const ScoreResponse = z.object({ Score: z.number(), FaceModelVersion: z.string(), RequestId: z.string() });
const ResponseSchema = z.object({ Response: z.union([ErrorResponse, ScoreResponse]) });

/**
 * Tencent's score onto ours, piecewise linear between the documented FAR points (scores in the
 * sense of Tencent 2.0 already are ours: 70/80/90 ↔ FAR 1e-3/1e-4/1e-5; 3.0 puts the same rates at
 * 40/50/60), so 80 means FAR 1e-4 whichever model version answered.
 */
export const TENCENT_SCORE_POINTS: Record<string, Array<[tencent: number, ours: number]>> = {
  "2.0": [[0, 0], [70, 70], [80, 80], [90, 90], [100, 100]],
  "3.0": [[0, 0], [40, 70], [50, 80], [60, 90], [100, 100]],
};

export function tencentScoreToOurs(score: number, version: string): number {
  const pts = TENCENT_SCORE_POINTS[version];
  if (!pts) throw new CloudCompareError("UNAVAILABLE", "UnknownFaceModelVersion", `腾讯云人脸比对返回了未知的算法版本 ${version}`);
  const s = Math.min(100, Math.max(0, score));
  let i = 1;
  while (i < pts.length - 1 && pts[i]![0] < s) i++;
  const [a, b] = [pts[i - 1]!, pts[i]!];
  const v = a[1] + ((s - a[0]) / (b[0] - a[0])) * (b[1] - a[1]);
  return Math.round(v * 10) / 10;
}

export const TencentCompareOptionsSchema = z.object({
  secretId: z.string().min(1),
  secretKey: z.string().min(1),
  /** host[:port]; the service name of the signature is its first label */
  endpoint: z.string().min(1).default("iai.tencentcloudapi.com"),
  protocol: z.enum(["https", "http"]).default("https"),
  region: z.string().optional(),
  /** "3.0" (current) or "2.0" */
  faceModelVersion: z.enum(["2.0", "3.0"]).default("3.0"),
  timeoutMs: z.number().int().positive().default(5000),
  /** attempts after the first, for rate limits, timeouts and server errors */
  retries: z.number().int().min(0).max(5).default(2),
  /** first back-off; doubled each retry, with jitter */
  backoffMs: z.number().int().min(0).default(200),
});
export type TencentCompareOptions = z.input<typeof TencentCompareOptionsSchema>;

export interface TencentCompareResult {
  /** on our 0–100 scale (80 ≈ FAR 1e-4) */
  score: number;
  tencentScore: number;
  faceModelVersion: string;
  requestId: string;
  attempts: number;
}

/** iai CompareFace (version 2020-03-03) over HTTPS, signed with TC3, with timeouts and retries. */
export class TencentCompareClient {
  readonly opts: z.output<typeof TencentCompareOptionsSchema>;
  constructor(
    opts: TencentCompareOptions,
    private readonly now: () => number = () => Date.now(),
  ) {
    this.opts = TencentCompareOptionsSchema.parse(opts);
  }

  async compare(imageA: Buffer, imageB: Buffer): Promise<TencentCompareResult> {
    // Only what is needed: the two images, base64, and the model version.
    const payload = JSON.stringify({ ImageA: imageA.toString("base64"), ImageB: imageB.toString("base64"), FaceModelVersion: this.opts.faceModelVersion, NeedRotateDetection: 0 });
    let last: CloudCompareError | undefined;
    for (let attempt = 0; attempt <= this.opts.retries; attempt++) {
      if (attempt > 0) await sleep(this.opts.backoffMs * 2 ** (attempt - 1) * (0.75 + Math.random() * 0.5));
      try {
        const r = await this.once(payload);
        return { ...r, attempts: attempt + 1 };
      } catch (err) {
        if (!(err instanceof CloudCompareError) || !err.retryable) throw err;
        last = err;
      }
    }
    throw last!;
  }

  /** The signed headers of a CompareFace request with this body at this second (seconds since the epoch). */
  signedHeaders(payload: string, timestamp: number): Record<string, string> {
    const o = this.opts;
    return tc3Headers({
      secretId: o.secretId,
      secretKey: o.secretKey,
      host: o.endpoint,
      service: o.endpoint.split(".")[0]!.split(":")[0]!,
      action: "CompareFace",
      version: "2020-03-03",
      ...(o.region ? { region: o.region } : {}),
      payload,
      timestamp,
    });
  }

  private async once(payload: string): Promise<Omit<TencentCompareResult, "attempts">> {
    const o = this.opts;
    const headers = this.signedHeaders(payload, Math.floor(this.now() / 1000));
    let res: Response;
    try {
      res = await fetch(`${o.protocol}://${o.endpoint}/`, { method: "POST", headers, body: payload, signal: AbortSignal.timeout(o.timeoutMs) });
    } catch (err) {
      const timeout = (err as Error).name === "TimeoutError" || (err as Error).name === "AbortError";
      throw new CloudCompareError(timeout ? "TIMEOUT" : "UNAVAILABLE", timeout ? "ClientTimeout" : "NetworkError", `腾讯云人脸比对${timeout ? "超时" : "无法连接"}：${(err as Error).message}`);
    }
    let json: z.infer<typeof ResponseSchema>;
    try {
      json = ResponseSchema.parse(await res.json());
    } catch {
      throw new CloudCompareError(res.status === 429 ? "RATE_LIMITED" : "UNAVAILABLE", `HTTP${res.status}`, `腾讯云人脸比对返回了无法识别的应答（HTTP ${res.status}）`);
    }
    const r = json.Response;
    if ("Error" in r) throw new CloudCompareError(mapTencentError(r.Error.Code), r.Error.Code, `腾讯云人脸比对失败：${r.Error.Code} ${r.Error.Message}（RequestId ${r.RequestId}）`);
    if (!("Score" in r)) throw new CloudCompareError("UNAVAILABLE", "NoScore", "腾讯云人脸比对的应答中没有分数");
    return { score: tencentScoreToOurs(r.Score, r.FaceModelVersion), tencentScore: r.Score, faceModelVersion: r.FaceModelVersion, requestId: r.RequestId };
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Opens after `threshold` consecutive service failures; while open (for `cooldownMs`) calls are not
 * attempted. After the cool-down one trial call goes through (half-open).
 */
export class CircuitBreaker {
  private failures = 0;
  private openedAt: number | null = null;
  constructor(
    readonly threshold = 3,
    readonly cooldownMs = 30_000,
    private readonly now: () => number = () => Date.now(),
  ) {}
  get state(): "closed" | "open" | "half-open" {
    if (this.openedAt === null) return "closed";
    return this.now() - this.openedAt >= this.cooldownMs ? "half-open" : "open";
  }
  allow(): boolean {
    return this.state !== "open";
  }
  success(): void {
    this.failures = 0;
    this.openedAt = null;
  }
  failure(): void {
    this.failures++;
    if (this.failures >= this.threshold || this.state === "half-open") this.openedAt = this.now();
  }
}
