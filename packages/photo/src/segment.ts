import { ort, type RgbImage } from "@gradphoto/vision";
import { loadParseModel, PARSE_SIDE } from "./models.js";
import { personSegModel } from "./offload.js";
import { planarTensor, resampleRegion, type FloatImage, type Rect } from "./pixels.js";

/** Model maps over a rectangle of the working image. */
export interface Segmentation {
  /** the rectangle of the working image the maps cover */
  rect: Rect;
  /** person probability (PP-HumanSeg, 192×192) */
  person: FloatImage;
  /** skin / clothes / hair sigmoids (PARSE_SIDE², 256 by default), present when requested */
  skin?: FloatImage;
  clothes?: FloatImage;
  hair?: FloatImage;
}

/** PP-HumanSeg over `rect` (stretched to 192×192, as the model was trained): channel 1 = person. */
export async function personMask(img: RgbImage, rect: Rect): Promise<FloatImage> {
  return (await sendPersonMask(img, rect)).mask;
}

/** A person mask under way (wrapped, so that awaiting the hand-over does not wait for the mask). */
export interface PendingMask {
  mask: Promise<FloatImage>;
}

/**
 * Makes PP-HumanSeg's patch and hands it to the model's worker thread; resolves as soon as the run is
 * under way. Callers start this before any model runs on the main thread: a main-thread model holds the
 * event loop, and a hand-over queued behind it would run the two models one after the other.
 */
export async function sendPersonMask(img: RgbImage, rect: Rect): Promise<PendingMask> {
  const patch = await resampleRegion(img, rect, 192, 192, "linear");
  const mask = personSegModel.run("x", planarTensor(patch, [0.5, 0.5, 0.5], [0.5, 0.5, 0.5]), [1, 3, 192, 192]).then(
    (out): FloatImage => ({ data: out.data.slice(192 * 192, 2 * 192 * 192), width: 192, height: 192 }),
  );
  mask.catch(() => undefined); // awaited by the caller; never an unhandled rejection while it waits
  return { mask };
}

/** The skin/clothes/hair model's input: `rect` stretched to side×side (libvips thread). */
export function parsePatch(img: RgbImage, rect: Rect, side = PARSE_SIDE): Promise<RgbImage> {
  return resampleRegion(img, rect, side, side, "linear");
}

/** Skin/clothes/hair segmentation of a side×side patch (the region stretched, ImageNet normalisation). */
export async function parseMaps(patch: RgbImage, side = PARSE_SIDE): Promise<{ skin: FloatImage; clothes: FloatImage; hair: FloatImage }> {
  const session = await loadParseModel(side);
  const out = await session.run({ "x.1": new ort.Tensor("float32", planarTensor(patch, [0.485, 0.456, 0.406], [0.229, 0.224, 0.225]), [1, 3, side, side]) });
  const d = Object.values(out)[0]!.data as Float32Array;
  const n = side * side;
  const map = (c: number): FloatImage => ({ data: d.subarray(c * n, (c + 1) * n), width: side, height: side });
  return { skin: map(0), clothes: map(1), hair: map(2) };
}

/**
 * Step 4: segmentation of the region around the graduate (the future crop, with a margin): PP-HumanSeg
 * for the person and the skin/clothes/hair model for the checks and the hair edge of the matte. Both
 * models run at once: PP-HumanSeg on a worker thread (see offload.ts and sendPersonMask), the parse
 * model here. `person`: a mask already sent for the same rect; `parsePatch`: the parse model's input
 * (rect at parseSide²) already being resampled.
 */
export async function segmentStep(
  img: RgbImage,
  rect: Rect,
  opts: { parse?: boolean; parseSide?: number; person?: PendingMask; parsePatch?: Promise<RgbImage> } = {},
): Promise<Segmentation> {
  const side = opts.parseSide ?? PARSE_SIDE;
  const patch = opts.parse === false ? null : (opts.parsePatch ?? parsePatch(img, rect, side));
  patch?.catch(() => undefined); // awaited below
  const person = opts.person ?? (await sendPersonMask(img, rect));
  if (!patch) return { rect, person: await person.mask };
  const maps = await parseMaps(await patch, side);
  return { rect, person: await person.mask, ...maps };
}

/** Value of a map at a working-image point (nearest sample; 0 outside the map). */
export function mapAt(seg: Segmentation, map: FloatImage, x: number, y: number): number {
  const u = ((x - seg.rect.x) / seg.rect.w) * map.width;
  const v = ((y - seg.rect.y) / seg.rect.h) * map.height;
  if (u < 0 || v < 0 || u >= map.width || v >= map.height) return 0;
  return map.data[(v | 0) * map.width + (u | 0)]!;
}
