import { assertCardCalibrated, createFaceComparer, DEFAULT_MODEL_CONFIG_PATH, type FaceComparer } from "@gradphoto/face";

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
