import type { Point } from "@gradphoto/vision";
import type { FaceLandmarks } from "./landmarks.js";
import { clamp, type Rect } from "./pixels.js";
import type { PhotoSpec } from "./spec.js";

/** What the crop is computed from (working-image pixels). */
export interface HeadGeometry {
  /** cheek-to-cheek width */
  faceWidth: number;
  /** horizontal centre of the face (midpoint of the cheek points) */
  centreX: number;
  /** eye line (mean of the two eye centres) */
  eyeY: number;
  /** top of the hair */
  headTopY: number;
  chinY: number;
}

/** The chosen crop and the layout it should produce in the output. */
export interface CropPlan {
  /** crop rectangle in working pixels (3:4; may extend beyond the image, padded with background) */
  rect: Rect;
  /** output pixels per working pixel */
  scale: number;
  /** predicted output geometry (px in the width×height output) */
  headTop: number;
  eyeLine: number;
  faceWidth: number;
  centreOffset: number;
  /** working pixels of the crop below the image bottom (the body would be cut there) */
  missingBottom: number;
  /** true when every predicted value is inside the spec ranges */
  feasible: boolean;
}

export function headGeometry(lm: FaceLandmarks, headTopY: number): HeadGeometry {
  const p = lm.points;
  return { faceWidth: lm.faceWidth, centreX: (p[0]!.x + p[16]!.x) / 2, eyeY: lm.eyeCentre.y, headTopY, chinY: p[8]!.y };
}

/** Before segmentation: hair top estimated from the face (eye-to-crown ≈ 0.95 face width). */
export function estimateHeadTop(lm: FaceLandmarks): number {
  return lm.eyeCentre.y - 0.95 * lm.faceWidth;
}

/**
 * Step 6: the crop. Searches the output scale and the vertical position so that the hair top, eye
 * line and face width land inside the spec ranges (with a safety margin), the face is centred, and
 * as little of the crop as possible falls below the bottom of the photo (the body must reach the
 * bottom edge: the chest crop) or, with `fillSides` (the default), beside it. Never rotates or mirrors.
 */
export function planCrop(g: HeadGeometry, imgW: number, imgH: number, spec: PhotoSpec, opts: { fillSides?: boolean } = {}): CropPlan {
  const o = spec.output;
  const W = o.width, H = o.height;
  const k = H / 640; // ranges are given for 640-px-high output; scale them for other sizes
  const margin = 6 * k;
  const [tLo, tHi] = [o.headTop[0] * k + margin, o.headTop[1] * k - margin];
  const [eLo, eHi] = [o.eyeLine[0] * k + margin, o.eyeLine[1] * k - margin];
  const [fLo, fHi] = [o.faceWidth[0] * k + margin, o.faceWidth[1] * k - margin];
  const D = Math.max(1, g.eyeY - g.headTopY);
  const F = Math.max(1, g.faceWidth);
  // preferred layout: hair top a little above the middle of its range, eye line in the middle of its
  // range, face ~210 px, each deviation weighted alike, so that all three keep a margin from the ends of
  // their ranges (room for measurement error either way)
  const prefTop = (tLo + tHi) / 2 - 4 * k;
  const prefEye = (eLo + eHi) / 2;
  const prefFace = 210 * k;

  // the crop may be moved sideways by up to this many output px (see below)
  const fill = opts.fillSides !== false;
  const shiftPx = fill ? Math.min(8 * k, Math.max(0, o.maxCentreOffset * k - 4 * k)) : 0;
  // output px of the crop beside the photo that moving it cannot fix (a strip of background with the body
  // cut along it): for a crop that is too wide on both sides, a larger face (narrower crop) closes them
  const sideGap = (s: number) => {
    if (!fill) return 0;
    const l = (W / 2 / s - g.centreX) * s, r = (g.centreX + W / 2 / s - imgW) * s; // > 0: past the edge
    if (l > 0 && r > 0) return l + r;
    return Math.max(0, l - shiftPx, r - shiftPx);
  };
  let best: { cost: number; s: number; top: number } | null = null;
  const sMin = Math.min(fLo / F, (eLo - tHi) / D);
  const sMax = Math.max(fHi / F, (eHi - tLo) / D);
  for (let i = 0; i <= 40; i++) {
    const s = sMin + ((sMax - sMin) * i) / 40;
    const fw = s * F;
    for (let j = 0; j <= 24; j++) {
      const top = tLo - 4 * k + ((tHi - tLo + 8 * k) * j) / 24;
      const eye = top + s * D;
      // out-of-range penalties (px outside the margin-shrunk ranges)
      const out = Math.max(0, fLo - fw, fw - fHi) + Math.max(0, tLo - top, top - tHi) + Math.max(0, eLo - eye, eye - eHi);
      const cropTop = g.eyeY - eye / s; // working px
      const cropBottom = cropTop + H / s;
      const missing = Math.max(0, cropBottom - imgH) * s; // output px with no photo below the body
      const cost = 1000 * out + 4 * missing + 2 * sideGap(s) + Math.abs(fw - prefFace) + Math.abs(top - prefTop) + Math.abs(eye - prefEye);
      if (!best || cost < best.cost) best = { cost, s, top };
    }
  }
  const s = best!.s;
  const eyeLine = best!.top + s * D;
  const rect = { x: g.centreX - W / 2 / s, y: g.eyeY - eyeLine / s, w: W / s, h: H / s };
  // a crop that reaches a few pixels past one side of the photo is moved back inside, off-centre by at
  // most 8 output px (within the centring tolerance): otherwise the output shows a thin strip of
  // background with the body cut along it. Larger gaps stay (sides_in_frame judges them).
  const maxShift = shiftPx / s;
  const gapL = -rect.x, gapR = rect.x + rect.w - imgW;
  let shift = 0;
  if (gapL > 0 && gapR < 0) shift = Math.min(gapL, -gapR, maxShift);
  else if (gapR > 0 && gapL < 0) shift = -Math.min(gapR, -gapL, maxShift);
  rect.x += shift;
  const faceWidth = s * F;
  const missingBottom = Math.max(0, rect.y + rect.h - imgH);
  const inRange = (v: number, r: readonly [number, number]) => v >= r[0] * k && v <= r[1] * k;
  return {
    rect,
    scale: s,
    headTop: best!.top,
    eyeLine,
    faceWidth,
    centreOffset: -shift * s,
    missingBottom,
    feasible: inRange(best!.top, o.headTop) && inRange(eyeLine, o.eyeLine) && inRange(faceWidth, o.faceWidth),
  };
}

/** The region segmented around the graduate: the crop with a margin, clipped to the image. */
export function segmentRegion(plan: CropPlan, imgW: number, imgH: number): Rect {
  const m = 0.08;
  const x0 = clamp(plan.rect.x - m * plan.rect.w, 0, imgW);
  const y0 = clamp(plan.rect.y - m * plan.rect.h, 0, imgH);
  const x1 = clamp(plan.rect.x + plan.rect.w * (1 + m), 0, imgW);
  const y1 = clamp(plan.rect.y + plan.rect.h * (1 + m), 0, imgH);
  return { x: x0, y: y0, w: Math.max(1, x1 - x0), h: Math.max(1, y1 - y0) };
}

export type { Point };
