import type { Point, RgbImage } from "@gradphoto/vision";
import { dist, lerp, pixelsInPolygon, pointInPolygon, rectPolygon, type Polygon } from "./geometry.js";
import type { FaceLandmarks } from "./landmarks.js";
import { labChroma, median, quantile, quantiles, rgbToLab, sampleRect, toGray, type FloatImage, type Rect } from "./pixels.js";
import { mapAt, type Segmentation } from "./segment.js";
import { fftPeakScore } from "./periodic.js";
import { earJewellery } from "./accessories.js";

/** Pixel measurements behind the heuristic checks (all scale-free unless stated). */
export interface Measurements {
  /** mean CIELAB chroma over the person region, and the share of pixels with C* > 10 */
  chroma: number;
  colourShare: number;
  /** median luma (0–255) of the face skin */
  faceLuma: number;
  /** |left − right| / max of cheek luma */
  lightAsymmetry: number;
  /** 10th ÷ 90th percentile of face-skin luma (1 = flat light, low = deep shadows on the face) */
  lightSpread: number;
  /** median luma of the segmented region (scene brightness around the graduate) */
  sceneLuma: number;
  /** share of face-skin pixels that are blown-out highlights */
  highlightShare: number;
  /** contrast-normalised high-frequency energy of the inner face at a fixed face scale */
  sharpness: number;
  /** strongest isolated spectral peak ÷ local background (halftone, screen moiré) */
  periodic: number;
  /** teeth or mouth-cavity pixels inside the inner lip contour, in mouth widths² */
  mouthOpenArea: number;
  /** teeth pixels (brighter and greyer than the lips) in a thin band along the lip junction, in mouth widths² */
  teethShare: number;
  /** eye-region luma ÷ cheek luma (lowest of both eyes) and lens chroma shift */
  eyeLumaRatio: number;
  eyeChromaShift: number;
  /** hair probability over brows and eyes (highest of both sides) */
  browHair: number;
  eyeHair: number;
  /** hair share of each ear zone (highest of both) and skin share (lowest) */
  earHair: number;
  earSkin: number;
  /** strongest small blob beside each ear lobe (luma units; jewellery) and where the stronger one is (working pixels) */
  jewellery: [number, number];
  jewelleryAt: { x: number; y: number; side: "left" | "right" };
  /** above the brows, the person share that is neither hair nor skin (hats, caps) */
  hatShare: number;
  /** skin near the face that is not face, ears, neck or chest, in face widths² (hands) */
  foreignSkin: number;
  /** hair top relative to the eye line, in face widths; and its distance to the image top */
  headTopY: number;
  /** hair top in working pixels */
  headTopAbs: number;
  headTopMargin: number;
  /** smallest margin of face/head to the left, right and bottom image edges, in face widths */
  sideMargin: number;
  bottomMargin: number;
  /** shoulder line angle in degrees (null when the shoulders are not in the picture) */
  shoulderTilt: number | null;
  /** median Lab of the clothes (null when no clothes were found) */
  clothesLab: [number, number, number] | null;
}

const STEP_TARGET = 90; // sample faces on a grid so that ~90 samples span the face width

/**
 * Step 5: the pixel measurements behind the heuristic checks. Each group is its own small function of
 * explicit arguments: as one long function with closures over this photo's pixels, V8's optimised code
 * was tied to the closures of one call and thrown away after the next garbage collection, so almost
 * every photo ran it unoptimised while it was compiled again (10 ms of compiling per photo).
 */
export function measureStep(img: RgbImage, lm: FaceLandmarks, seg: Segmentation): Measurements {
  const p = lm.points;
  const F = Math.max(1, lm.faceWidth);
  const W = img.width, H = img.height;
  const step = Math.max(1, Math.floor(F / STEP_TARGET));
  const regions = faceRegions(p, F);
  const light = faceLight(img, regions, step);
  const colour = personColour(img, seg);
  const glasses = tintedGlasses(img, p, F, step, regions, light.lMed, light.rMed);
  const hasParse = !!(seg.hair && seg.skin && seg.clothes);
  const hair = hairOverFace(img, seg, p, F, step, hasParse);
  const headTop = findHeadTop(seg, p, F, H);
  const jewel = earJewellery(img, p, F, hasParse ? { hair: (x, y) => mapAt(seg, seg.hair!, x, y), skin: (x, y) => mapAt(seg, seg.skin!, x, y) } : undefined);
  return {
    chroma: colour.chroma,
    colourShare: colour.colourShare,
    faceLuma: light.faceLuma,
    lightAsymmetry: light.lightAsymmetry,
    lightSpread: light.lightSpread,
    sceneLuma: colour.sceneLuma,
    highlightShare: light.highlightShare,
    sharpness: measureSharpness(img, p, F),
    periodic: fftPeakScore(img, lm),
    mouthOpenArea: mouthOpening(img, p),
    teethShare: teethAtJunction(img, p),
    eyeLumaRatio: glasses.eyeLumaRatio,
    eyeChromaShift: glasses.eyeChromaShift,
    ...hair,
    jewellery: jewel.blob,
    jewelleryAt: jewel.at,
    hatShare: hasParse ? hatShare(seg, p, F, W, regions.browTop, headTop.y) : 0,
    foreignSkin: hasParse ? foreignSkin(seg, p, F, W, H, regions.browTop) : 0,
    headTopY: (lm.eyeCentre.y - headTop.y) / F,
    headTopAbs: headTop.y,
    headTopMargin: headTop.touchesTop ? 0 : headTop.y / F,
    // margins of the head to the picture edges, in face widths
    sideMargin: Math.min(p[0]!.x - 0.08 * F, W - 1 - p[16]!.x - 0.08 * F) / F,
    bottomMargin: (H - 1 - p[8]!.y) / F,
    shoulderTilt: measureShoulders(seg, p, F),
    clothesLab: hasParse ? measureClothes(img, seg, p, F) : null,
  };
}

const lumaAt = (img: RgbImage, x: number, y: number): number => {
  const i = (y * img.width + x) * 3, d = img.data;
  return 0.299 * d[i]! + 0.587 * d[i + 1]! + 0.114 * d[i + 2]!;
};

const labAt = (img: RgbImage, x: number, y: number): [number, number, number] => {
  const i = (y * img.width + x) * 3, d = img.data;
  return rgbToLab(d[i]!, d[i + 1]!, d[i + 2]!);
};

/** Lumas of the grid pixels inside `poly`. */
function lumasIn(img: RgbImage, poly: Polygon, step: number): number[] {
  const v: number[] = [];
  const g = pixelsInPolygon(poly, img.width, img.height, step);
  for (let k = 0; k < g.length; k += 2) v.push(lumaAt(img, g[k]!, g[k + 1]!));
  return v;
}

/** Mean of a model map over the grid pixels inside `poly` (0 without the map or pixels). */
function mapMeanIn(img: RgbImage, seg: Segmentation, map: FloatImage | undefined, poly: Polygon, step: number): number {
  if (!map) return 0;
  const v: number[] = [];
  const g = pixelsInPolygon(poly, img.width, img.height, step);
  for (let k = 0; k < g.length; k += 2) v.push(mapAt(seg, map, g[k]!, g[k + 1]!));
  return v.length ? v.reduce((s, x) => s + x, 0) / v.length : 0;
}

interface FaceRegions {
  leftCheek: Polygon;
  rightCheek: Polygon;
  forehead: Polygon;
  nose: Polygon;
  browTop: number;
}

/** Cheeks, forehead and nose from the landmarks. */
function faceRegions(p: Point[], F: number): FaceRegions {
  const browTop = Math.min(...p.slice(17, 27).map((q) => q.y));
  return {
    leftCheek: [p[1]!, p[2]!, p[3]!, p[4]!, lerp(p[48]!, p[4]!, 0.2), lerp(p[31]!, p[2]!, 0.15), lerp(p[41]!, p[2]!, 0.25), lerp(p[36]!, p[1]!, 0.4)],
    rightCheek: [p[15]!, p[14]!, p[13]!, p[12]!, lerp(p[54]!, p[12]!, 0.2), lerp(p[35]!, p[14]!, 0.15), lerp(p[46]!, p[14]!, 0.25), lerp(p[45]!, p[15]!, 0.4)],
    forehead: rectPolygon(p[19]!.x, browTop - 0.22 * F, p[24]!.x - p[19]!.x, 0.17 * F),
    nose: [p[27]!, lerp(p[31]!, p[39]!, 0.1), p[31]!, p[33]!, p[35]!, lerp(p[35]!, p[42]!, 0.1)],
    browTop,
  };
}

/** A highlight pixel has every channel at least this high (near-white). */
const HIGHLIGHT_MIN_CHANNEL = 240;

/** Face brightness, left/right asymmetry, spread and highlights. */
function faceLight(img: RgbImage, r: FaceRegions, step: number) {
  const lCheek = lumasIn(img, r.leftCheek, step);
  const rCheek = lumasIn(img, r.rightCheek, step);
  const lMed = median(lCheek), rMed = median(rCheek);
  const skinLuma = [...lCheek, ...rCheek, ...lumasIn(img, r.nose, step)];
  const faceLuma = median(skinLuma);
  const lightAsymmetry = Math.abs(lMed - rMed) / Math.max(1, lMed, rMed);
  const foreheadLuma = lumasIn(img, r.forehead, step);
  const [p10, p90] = quantiles([...skinLuma, ...foreheadLuma], [0.1, 0.9]);
  const lightSpread = p10! / Math.max(1, p90!);

  // highlights: specular spots, i.e. near-white pixels (every channel high: a bright but coloured skin
  // tone is not white) well above the face's own median brightness (a uniformly pale face is not a
  // highlight). Testing only the brightest channel made a compliant face 8 % brighter fail, since
  // light skin clips in red first.
  let hi = 0, tot = 0;
  const hiLuma = faceLuma + 40;
  const d = img.data, W = img.width;
  for (const poly of [r.leftCheek, r.rightCheek, r.nose, r.forehead]) {
    const g = pixelsInPolygon(poly, W, img.height, step);
    for (let k = 0; k < g.length; k += 2) {
      const x = g[k]!, y = g[k + 1]!;
      tot++;
      const i = (y * W + x) * 3;
      if (Math.min(d[i]!, d[i + 1]!, d[i + 2]!) >= HIGHLIGHT_MIN_CHANNEL && lumaAt(img, x, y) >= hiLuma) hi++;
    }
  }
  return { lMed, rMed, faceLuma, lightAsymmetry, lightSpread, highlightShare: tot ? hi / tot : 0 };
}

/** Chroma over the segmented person; scene brightness over the whole region (one grid pass). */
function personColour(img: RgbImage, seg: Segmentation) {
  const W = img.width, H = img.height, d = img.data;
  const r = seg.rect;
  const cstep = Math.max(1, Math.floor(Math.max(r.w, r.h) / 100));
  const gy0 = Math.floor(r.y), gy1 = Math.min(H, r.y + r.h), gx0 = Math.floor(r.x), gx1 = Math.min(W, r.x + r.w);
  const sceneVals = new Float64Array(Math.max(0, Math.ceil((gy1 - gy0) / cstep)) * Math.max(0, Math.ceil((gx1 - gx0) / cstep)));
  let nScene = 0, chromaSum = 0, nChroma = 0, nColour = 0;
  for (let y = gy0; y < gy1; y += cstep) {
    for (let x = gx0; x < gx1; x += cstep) {
      const i = (y * W + x) * 3;
      sceneVals[nScene++] = 0.299 * d[i]! + 0.587 * d[i + 1]! + 0.114 * d[i + 2]!;
      if (mapAt(seg, seg.person, x, y) < 0.5) continue;
      const c = labChroma(d[i]!, d[i + 1]!, d[i + 2]!);
      chromaSum += c;
      nChroma++;
      if (c > 10) nColour++;
    }
  }
  return {
    sceneLuma: median(sceneVals.subarray(0, nScene)),
    chroma: nChroma ? chromaSum / nChroma : 0,
    colourShare: nChroma ? nColour / nChroma : 0,
  };
}

/**
 * Open mouth: teeth (brighter and greyer than the lips) or the dark mouth cavity inside the inner lip
 * contour, against the lip ring around it; area in mouth widths².
 */
function mouthOpening(img: RgbImage, p: Point[]): number {
  const mw = Math.max(1, dist(p[48]!, p[54]!));
  const lipStep = Math.max(1, Math.floor(mw / 60));
  const innerLip: Polygon = p.slice(60, 68);
  const inner: Array<[number, number, number]> = [], ring: Array<[number, number, number]> = [];
  const g = pixelsInPolygon(p.slice(48, 60), img.width, img.height, lipStep);
  for (let k = 0; k < g.length; k += 2) {
    const x = g[k]!, y = g[k + 1]!;
    (pointInPolygon(x + 0.5, y + 0.5, innerLip) ? inner : ring).push(labAt(img, x, y));
  }
  const ringL = median(ring.map((q) => q[0])), ringC = median(ring.map((q) => Math.hypot(q[1], q[2])));
  const greyPhoto = !(ringC >= 3);
  const openPx = inner.filter((q) => (q[0] > ringL + 10 && (greyPhoto || Math.hypot(q[1], q[2]) < 0.7 * ringC)) || q[0] < ringL - 15).length;
  return (openPx * lipStep * lipStep) / (mw * mw);
}

/**
 * Teeth between the lips: pixels brighter (L* ≥ 8 above) and greyer (C* < 0.7×) than the lips' median,
 * searched in a band of ±4 % of the mouth width around the inner lip contour, in mouth widths². The
 * landmark model often closes the inner contour over a smile's thin row of teeth, so the teeth are
 * looked for along the junction rather than inside the contour; the band stays off the lower lip's
 * body, where lip gloss makes bright, greyish highlights on closed lips.
 */
function teethAtJunction(img: RgbImage, p: Point[]): number {
  const mw = Math.max(1, dist(p[48]!, p[54]!));
  const st = Math.max(1, Math.floor(mw / 80));
  const e = 0.04 * mw;
  const up = (q: Point) => ({ x: q.x, y: q.y - e }), dn = (q: Point) => ({ x: q.x, y: q.y + e });
  const band: Polygon = [p[60]!, up(p[61]!), up(p[62]!), up(p[63]!), p[64]!, dn(p[65]!), dn(p[66]!), dn(p[67]!)];
  const lips: Array<[number, number]> = [];
  const g = pixelsInPolygon(p.slice(48, 60), img.width, img.height, st);
  for (let k = 0; k < g.length; k += 2) {
    const [L, a, b] = labAt(img, g[k]!, g[k + 1]!);
    lips.push([L, Math.hypot(a, b)]);
  }
  const lipL = median(lips.map((q) => q[0])), lipC = median(lips.map((q) => q[1]));
  // a grey photo has no colour to tell teeth from lit lips (brightness alone refused 12 closed mouths
  // of grey TV crops); `colour` refuses grey photos anyway
  if (!(lipC >= 3)) return 0;
  const b = pixelsInPolygon(band, img.width, img.height, st);
  let n = 0;
  for (let k = 0; k < b.length; k += 2) {
    const [L, a, bb] = labAt(img, b[k]!, b[k + 1]!);
    if (L > lipL + 8 && Math.hypot(a, bb) < 0.7 * lipC) n++;
  }
  return (n * st * st) / (mw * mw);
}

/** Mean CIELAB a*, b* over the grid pixels inside `poly`. */
function meanAB(img: RgbImage, poly: Polygon, step: number): [number, number] {
  let sa = 0, sb = 0, n = 0;
  const g = pixelsInPolygon(poly, img.width, img.height, step);
  for (let k = 0; k < g.length; k += 2) {
    const [, a, b] = labAt(img, g[k]!, g[k + 1]!);
    sa += a; sb += b; n++;
  }
  return [sa / Math.max(1, n), sb / Math.max(1, n)];
}

/** Tinted glasses: the lens area around each eye against the cheek below it. */
function tintedGlasses(img: RgbImage, p: Point[], F: number, step: number, r: FaceRegions, lMed: number, rMed: number) {
  const eyeBox = (e: Point[], brow: Point[]): Polygon => {
    const x0 = Math.min(...e.map((q) => q.x)) - 0.04 * F, x1 = Math.max(...e.map((q) => q.x)) + 0.04 * F;
    const yTop = Math.max(...brow.map((q) => q.y)) + 0.01 * F;
    const yBot = Math.max(...e.map((q) => q.y)) + 0.07 * F;
    return rectPolygon(x0, yTop, x1 - x0, Math.max(2, yBot - yTop));
  };
  const lensL = eyeBox(p.slice(36, 42), p.slice(17, 22));
  const lensR = eyeBox(p.slice(42, 48), p.slice(22, 27));
  const lensLumaL = median(lumasIn(img, lensL, step)), lensLumaR = median(lumasIn(img, lensR, step));
  const eyeLumaRatio = Math.min(lensLumaL / Math.max(1, lMed), lensLumaR / Math.max(1, rMed));
  const skinAB = meanAB(img, r.leftCheek, step);
  const skinAB2 = meanAB(img, r.rightCheek, step);
  const lensAB = meanAB(img, lensL, step), lensAB2 = meanAB(img, lensR, step);
  const eyeChromaShift = Math.max(Math.hypot(lensAB[0] - skinAB[0], lensAB[1] - skinAB[1]), Math.hypot(lensAB2[0] - skinAB2[0], lensAB2[1] - skinAB2[1]));
  return { eyeLumaRatio, eyeChromaShift };
}

/** Hair over brows, eyes and ears, skin in the ear zones. */
function hairOverFace(img: RgbImage, seg: Segmentation, p: Point[], F: number, step: number, hasParse: boolean) {
  const browBand = (b: Point[]): Polygon => [
    ...b.map((q) => ({ x: q.x, y: q.y - 0.05 * F })),
    ...[...b].reverse().map((q) => ({ x: q.x, y: q.y + 0.03 * F })),
  ];
  const mean01 = (poly: Polygon, map: FloatImage | undefined) => mapMeanIn(img, seg, map, poly, step);
  const browHair = Math.max(mean01(browBand(p.slice(17, 22)), seg.hair), mean01(browBand(p.slice(22, 27)), seg.hair));
  const eyeHair = Math.max(mean01(p.slice(36, 42), seg.hair), mean01(p.slice(42, 48), seg.hair));
  const earZone = (side: -1 | 1): Polygon => {
    const a = side < 0 ? p[0]! : p[16]!;
    const b = side < 0 ? p[2]! : p[14]!;
    const x0 = side < 0 ? a.x - 0.16 * F : a.x - 0.02 * F;
    return rectPolygon(x0, a.y - 0.06 * F, 0.18 * F, b.y - a.y + 0.08 * F);
  };
  const earL = earZone(-1), earR = earZone(1);
  const earHair = hasParse ? Math.max(mean01(earL, seg.hair), mean01(earR, seg.hair)) : 0;
  const earSkin = hasParse ? Math.min(mean01(earL, seg.skin), mean01(earR, seg.skin)) : 1;
  return { browHair, eyeHair, earHair, earSkin };
}

/** Hat: above the brows up to the hair top, the share of person pixels that are neither hair nor skin. */
function hatShare(seg: Segmentation, p: Point[], F: number, W: number, browTop: number, headTopY: number): number {
  let hatN = 0, hatOther = 0;
  const x0 = p[17]!.x, x1 = p[26]!.x;
  const y1 = browTop - 0.04 * F;
  const y0 = headTopY;
  const hstep = Math.max(1, Math.floor((x1 - x0) / 40));
  for (let y = Math.max(0, Math.floor(y0)); y < y1; y += hstep) {
    for (let x = Math.max(0, Math.floor(x0)); x < Math.min(W, x1); x += hstep) {
      if (mapAt(seg, seg.person, x, y) < 0.5) continue;
      hatN++;
      if (mapAt(seg, seg.hair!, x, y) < 0.4 && mapAt(seg, seg.skin!, x, y) < 0.4) hatOther++;
    }
  }
  return hatN ? hatOther / hatN : 0;
}

/** Hands and objects: skin near the face that is not face, ears, neck or chest, in face widths². */
function foreignSkin(seg: Segmentation, p: Point[], F: number, W: number, H: number, browTop: number): number {
  const cx = (p[0]!.x + p[16]!.x) / 2;
  const chin = p[8]!.y;
  const faceCentre = { x: cx, y: (browTop + chin) / 2 };
  const grow = (q: Point, k: number) => ({ x: faceCentre.x + (q.x - faceCentre.x) * k, y: faceCentre.y + (q.y - faceCentre.y) * k });
  const faceOval: Polygon = [...p.slice(0, 17).map((q) => grow(q, 1.1)), grow({ x: p[26]!.x, y: browTop - 0.7 * F }, 1.1), grow({ x: p[17]!.x, y: browTop - 0.7 * F }, 1.1)];
  const rstep = Math.max(1, Math.floor(F / 60));
  let n = 0;
  for (let y = Math.floor(browTop - 0.8 * F); y < chin + 0.7 * F; y += rstep) {
    if (y < 0 || y >= H) continue;
    for (let x = Math.floor(cx - 1.4 * F); x < cx + 1.4 * F; x += rstep) {
      if (x < 0 || x >= W) continue;
      if (mapAt(seg, seg.skin!, x, y) < 0.5 || mapAt(seg, seg.person, x, y) < 0.3) continue;
      const dx = Math.abs(x - cx);
      if (y > chin - 0.15 * F && dx < 0.36 * F + Math.max(0, y - (chin + 0.2 * F)) * 1.6) continue; // neck, chest, shoulders
      if (y > p[0]!.y - 0.25 * F && y < p[4]!.y && dx < 0.75 * F) continue; // ears
      if (pointInPolygon(x, y, faceOval)) continue;
      n++;
    }
  }
  return (n * rstep * rstep) / (F * F);
}

/**
 * Hair top over the central head columns (10th percentile of per-column tops), from the person map
 * and, when present, the finer hair map (max of both).
 */
export function findHeadTop(seg: Segmentation, p: Point[], F: number, imgH: number): { y: number; touchesTop: boolean } {
  const fine = seg.hair ?? seg.person;
  const x0 = p[0]!.x + 0.15 * F, x1 = p[16]!.x - 0.15 * F;
  const u0 = Math.floor(((x0 - seg.rect.x) / seg.rect.w) * fine.width), u1 = Math.ceil(((x1 - seg.rect.x) / seg.rect.w) * fine.width);
  const eyeV = Math.floor(((Math.min(p[37]!.y, p[44]!.y) - seg.rect.y) / seg.rect.h) * fine.height);
  const pm = seg.person;
  const tops: number[] = [];
  let touching = 0, cols = 0;
  for (let u = Math.max(0, u0); u <= Math.min(fine.width - 1, u1); u++) {
    cols++;
    const pu = Math.min(pm.width - 1, Math.floor((u / fine.width) * pm.width));
    let top = -1;
    for (let v = 0; v < Math.min(fine.height, Math.max(1, eyeV)); v++) {
      const pv = Math.min(pm.height - 1, Math.floor((v / fine.height) * pm.height));
      const person = pm.data[pv * pm.width + pu]!;
      const hair = seg.hair ? seg.hair.data[v * fine.width + u]! : 0;
      if (person >= 0.5 || (hair >= 0.5 && person >= 0.05)) {
        top = v;
        break;
      }
    }
    if (top < 0) continue;
    if (top === 0) touching++;
    tops.push(top);
  }
  const cell = seg.rect.h / fine.height;
  const vTop = tops.length ? quantile(tops, 0.1) : eyeV;
  const y = seg.rect.y + vTop * cell;
  // cut at the top when the region starts at the image top and the hair touches it over the head
  const touchesTop = seg.rect.y <= 0.5 && cols > 0 && touching / cols > 0.3;
  void imgH;
  return { y, touchesTop };
}

/** Shoulder line: top of the person mask left and right of the neck, mirrored around the face centre. */
function measureShoulders(seg: Segmentation, p: Point[], F: number): number | null {
  const m = seg.person;
  const cx = (p[0]!.x + p[16]!.x) / 2;
  const chin = p[8]!.y;
  const sample = (x: number): number | null => {
    const u = Math.floor(((x - seg.rect.x) / seg.rect.w) * m.width);
    if (u < 0 || u >= m.width) return null;
    const v0 = Math.max(0, Math.floor(((chin + 0.1 * F - seg.rect.y) / seg.rect.h) * m.height));
    for (let v = v0; v < m.height; v++) if (m.data[v * m.width + u]! >= 0.5) return v === v0 ? null : seg.rect.y + (v / m.height) * seg.rect.h;
    return null;
  };
  const diffs: number[] = [];
  for (const k of [0.95, 1.05, 1.15, 1.25]) {
    const yl = sample(cx - k * F), yr = sample(cx + k * F);
    if (yl === null || yr === null) continue;
    diffs.push((Math.atan2(yr - yl, 2 * k * F) * 180) / Math.PI);
  }
  return diffs.length >= 2 ? median(diffs) : null;
}

/** Median Lab of pixels the parser calls clothes, inside the person, below the chin. */
function measureClothes(img: RgbImage, seg: Segmentation, p: Point[], F: number): [number, number, number] | null {
  const W = img.width, H = img.height;
  const y0 = p[8]!.y + 0.35 * F;
  const cx = (p[0]!.x + p[16]!.x) / 2;
  const Ls: number[] = [], As: number[] = [], Bs: number[] = [];
  const step = Math.max(1, Math.floor(F / 40));
  for (let y = Math.floor(y0); y < Math.min(H, seg.rect.y + seg.rect.h, p[8]!.y + 2.2 * F); y += step) {
    for (let x = Math.floor(cx - 1.6 * F); x < cx + 1.6 * F; x += step) {
      if (x < 0 || x >= W) continue;
      if (mapAt(seg, seg.person, x, y) < 0.6 || mapAt(seg, seg.clothes!, x, y) < 0.5 || mapAt(seg, seg.skin!, x, y) > 0.5) continue;
      const i = (y * W + x) * 3;
      const [L, a, b] = rgbToLab(img.data[i]!, img.data[i + 1]!, img.data[i + 2]!);
      Ls.push(L); As.push(a); Bs.push(b);
    }
  }
  if (Ls.length < 30) return null;
  return [median(Ls), median(As), median(Bs)];
}

/** Face width (px) at which sharpness is measured: larger faces are scaled down to it, smaller ones not. */
export const SHARPNESS_FACE_PX = 100;

/** Laplacian energy of the inner face resampled so the face is SHARPNESS_FACE_PX wide, ÷ its luma spread. */
function measureSharpness(img: RgbImage, p: Point[], F: number): number {
  const x0 = p[36]!.x - 0.05 * F, x1 = p[45]!.x + 0.05 * F;
  const y0 = Math.min(p[19]!.y, p[24]!.y), y1 = p[57]!.y;
  const k = Math.min(1, SHARPNESS_FACE_PX / F); // only downscale
  const w = Math.max(8, Math.round((x1 - x0) * k)), h = Math.max(8, Math.round((y1 - y0) * k));
  const rect: Rect = { x: x0, y: y0, w: x1 - x0, h: y1 - y0 };
  const g = toGray(sampleRect(img, rect, w, h));
  let lap = 0, n = 0;
  const vals = new Float64Array((w - 2) * (h - 2));
  for (let y = 1; y < h - 1; y++) {
    for (let x = 1; x < w - 1; x++) {
      const i = y * w + x;
      const v = 4 * g.data[i]! - g.data[i - 1]! - g.data[i + 1]! - g.data[i - w]! - g.data[i + w]!;
      lap += Math.abs(v);
      vals[n++] = g.data[i]!;
    }
  }
  const [q10, q90] = quantiles(vals, [0.1, 0.9]);
  const spread = Math.max(8, q90! - q10!);
  return (100 * (lap / Math.max(1, n))) / spread;
}

