import { detectFaces, type DetectedFace, type RgbImage } from "@gradphoto/vision";
import type { Thresholds } from "./spec.js";

export interface FaceSet {
  /** the graduate's face (largest confident face), in working-image pixels */
  main: DetectedFace | null;
  /** every other face: background faces included */
  others: DetectedFace[];
}

const boxIou = (a: DetectedFace["box"], b: DetectedFace["box"]) => {
  const x0 = Math.max(a.x, b.x), y0 = Math.max(a.y, b.y);
  const x1 = Math.min(a.x + a.width, b.x + b.width), y1 = Math.min(a.y + a.height, b.y + b.height);
  const inter = Math.max(0, x1 - x0) * Math.max(0, y1 - y0);
  return inter / (a.width * a.height + b.width * b.height - inter || 1);
};

/**
 * Step 2: YuNet over the whole picture at up to 640 px (small background faces included; never
 * upscaled, as scores drop on upscaled close-ups) and, if nothing was found, again at 320 px for a face
 * that fills the frame (YuNet is trained on faces up to ~300 px).
 */
export async function detectStep(img: RgbImage, t: Thresholds): Promise<FaceSet> {
  const floor = Math.min(t.faceScore, t.otherFaceScore);
  const longSide = Math.max(img.width, img.height);
  // never upscale: YuNet scores drop when a face fills an upscaled frame
  const first = Math.min(640, longSide);
  let faces = await detectFaces(img, { scoreThreshold: floor, targetLongSide: first });
  if (faces.length === 0) {
    faces = await detectFaces(img, { scoreThreshold: floor, targetLongSide: 320 });
  }
  const main = faces
    .filter((f) => f.score >= t.faceScore)
    .sort((a, b) => b.box.width * b.box.height - a.box.width * a.box.height)[0] ?? null;
  const others = faces.filter(
    (f) => f !== main && f.score >= t.otherFaceScore && (!main || (f.box.width >= t.otherFaceMinRelWidth * main.box.width && boxIou(f.box, main.box) < 0.3)),
  );
  return { main, others };
}
