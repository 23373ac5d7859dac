import { createFaceComparer, type FaceComparer } from "@gradphoto/face";

let comparer: Promise<FaceComparer> | undefined;

/** One comparer (models + calibration) per process, created on first use. */
export function faceComparer(): Promise<FaceComparer> {
  if (!comparer) {
    const created = createFaceComparer();
    comparer = created;
    created.catch(() => {
      comparer = undefined;
    });
    return created;
  }
  return comparer;
}
