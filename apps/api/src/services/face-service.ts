import type { AppConfig } from "@gradphoto/config";
import { assertCardCalibrated, createCloudComparer, createFaceComparer, DEFAULT_MODEL_CONFIG_PATH, type CloudComparer, type FaceComparer } from "@gradphoto/face";

let comparer: Promise<FaceComparer> | undefined;
let cardPath = DEFAULT_MODEL_CONFIG_PATH;

/**
 * Startup check of the face model card (FACE_MODEL_CARD, default the bundled model's): valid and
 * calibrated, or the API does not start (ModelCardError, one line). The model itself loads on first use.
 */
export function useFaceModelCard(file: string | undefined): void {
  const next = file ?? DEFAULT_MODEL_CONFIG_PATH;
  assertCardCalibrated(next);
  if (next !== cardPath) comparer = undefined;
  cardPath = next;
}

/** One comparer (models + calibration) per process, created on first use. */
export function faceComparer(): Promise<FaceComparer> {
  if (!comparer) {
    const created = createFaceComparer({ model: cardPath });
    comparer = created;
    created.catch(() => {
      comparer = undefined;
    });
    return created;
  }
  return comparer;
}

let cloud: { key: string; comparer: CloudComparer } | undefined;

/**
 * Tencent Cloud CompareFace in front of the local comparer (one per process and settings, so its
 * circuit breaker sees every request); null when the secrets are not configured.
 */
export async function tencentComparer(config: AppConfig): Promise<CloudComparer | null> {
  const e = config.env;
  if (!e.TENCENTCLOUD_SECRET_ID || !e.TENCENTCLOUD_SECRET_KEY) return null;
  const key = [e.TENCENTCLOUD_SECRET_ID, e.TENCENT_IAI_ENDPOINT, e.TENCENT_IAI_PROTOCOL, e.TENCENT_IAI_REGION, e.TENCENT_IAI_TIMEOUT_MS].join("|");
  if (cloud?.key !== key) {
    const local = await faceComparer();
    const tencent = {
      secretId: e.TENCENTCLOUD_SECRET_ID,
      secretKey: e.TENCENTCLOUD_SECRET_KEY,
      endpoint: e.TENCENT_IAI_ENDPOINT,
      protocol: e.TENCENT_IAI_PROTOCOL,
      timeoutMs: e.TENCENT_IAI_TIMEOUT_MS,
      ...(e.TENCENT_IAI_REGION ? { region: e.TENCENT_IAI_REGION } : {}),
    };
    cloud = { key, comparer: createCloudComparer({ tencent, local }) };
  }
  return cloud.comparer;
}
