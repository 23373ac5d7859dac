import { loadModel, ort, type RgbImage } from "@gradphoto/vision";
import { resampleRegion, type FloatImage, type Rect } from "./pixels.js";

/** Model maps over a rectangle of the working image. */
export interface Segmentation {
  /** the rectangle of the working image the maps cover */
  rect: Rect;
  /** person probability (PP-HumanSeg, 192×192) */
  person: FloatImage;
  /** skin / clothes / hair sigmoids (512×512), present when requested */
  skin?: FloatImage;
  clothes?: FloatImage;
  hair?: FloatImage;
}

function planar(img: RgbImage, mean: readonly number[], std: readonly number[]): Float32Array {
  const n = img.width * img.height;
  const t = new Float32Array(3 * n);
  for (let i = 0; i < n; i++) for (let c = 0; c < 3; c++) t[c * n + i] = (img.data[i * 3 + c]! / 255 - mean[c]!) / std[c]!;
  return t;
}

/** PP-HumanSeg over `rect` (stretched to 192×192, as the model was trained): channel 1 = person. */
export async function personMask(img: RgbImage, rect: Rect): Promise<FloatImage> {
  const session = await loadModel("person-seg");
  const patch = await resampleRegion(img, rect, 192, 192, "linear");
  const out = await session.run({ x: new ort.Tensor("float32", planar(patch, [0.5, 0.5, 0.5], [0.5, 0.5, 0.5]), [1, 3, 192, 192]) });
  const probs = Object.values(out)[0]!.data as Float32Array;
  return { data: probs.slice(192 * 192, 2 * 192 * 192), width: 192, height: 192 };
}

/** Skin/clothes/hair segmentation over `rect` (stretched to 512×512, ImageNet normalisation). */
export async function parseMaps(img: RgbImage, rect: Rect): Promise<{ skin: FloatImage; clothes: FloatImage; hair: FloatImage }> {
  const session = await loadModel("skin-hair-clothes");
  const patch = await resampleRegion(img, rect, 512, 512, "linear");
  const out = await session.run({ "x.1": new ort.Tensor("float32", planar(patch, [0.485, 0.456, 0.406], [0.229, 0.224, 0.225]), [1, 3, 512, 512]) });
  const d = Object.values(out)[0]!.data as Float32Array;
  const n = 512 * 512;
  const map = (c: number): FloatImage => ({ data: d.slice(c * n, (c + 1) * n), width: 512, height: 512 });
  return { skin: map(0), clothes: map(1), hair: map(2) };
}

/** Step 4: segmentation of the region around the graduate (the future crop, with a margin). */
export async function segmentStep(img: RgbImage, rect: Rect, opts: { parse?: boolean } = {}): Promise<Segmentation> {
  const person = await personMask(img, rect);
  if (opts.parse === false) return { rect, person };
  const maps = await parseMaps(img, rect);
  return { rect, person, ...maps };
}

/** Value of a map at a working-image point (nearest sample; 0 outside the map). */
export function mapAt(seg: Segmentation, map: FloatImage, x: number, y: number): number {
  const u = ((x - seg.rect.x) / seg.rect.w) * map.width;
  const v = ((y - seg.rect.y) / seg.rect.h) * map.height;
  if (u < 0 || v < 0 || u >= map.width || v >= map.height) return 0;
  return map.data[(v | 0) * map.width + (u | 0)]!;
}
