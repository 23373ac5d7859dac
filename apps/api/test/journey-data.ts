import { readFileSync } from "node:fs";
import sharp from "sharp";
import { check, standardize } from "@gradphoto/photo";
import { testdataDir } from "@gradphoto/testkit";
import { faceBytes, faceManifest } from "./journey-harness.js";

const pairs = JSON.parse(readFileSync(testdataDir("faces", "pairs.json"), "utf8")) as Array<{ a: string; b: string; same: boolean }>;

export interface JourneyPhotos {
  /** a labelled-compliant photo that the checks accept */
  graduation: string;
  /** another photo of the same person (the 录取照片) */
  admission: string;
  /** a photo of someone else, for failing comparisons */
  stranger: string;
  /** a photo labelled with more than one face (breaks a rule) */
  groupPhoto: string;
}

/**
 * Picks photos by their labels (never by file name): the first labelled-compliant photo with a
 * same-person partner that the pipeline accepts (checks and standardised output), its partner, another identity, and a group photo.
 * The journeys upload it from the album, so it must also meet the notice's album rule (size, bytes, JPG).
 */
export async function pickJourneyPhotos(): Promise<JourneyPhotos> {
  for (const f of faceManifest.files) {
    if (!f.labels.expected_compliant || f.path.startsWith("compliance/")) continue;
    const partner = pairs.find((p) => p.same && (p.a === f.path || p.b === f.path));
    if (!partner) continue;
    const r = await check(faceBytes(f.path), {}, { origin: "album" });
    if (!r.compliant) continue;
    // the API refuses a standardised output that misses its own layout checks: the photo must pass both
    if (!(await standardize(faceBytes(f.path))).report.compliant) continue;
    const admission = partner.a === f.path ? partner.b : partner.a;
    const stranger = faceManifest.files.find((x) => x.identity !== f.identity && !x.path.startsWith("compliance/") && x.labels.faces === 1 && x.labels.color !== "grayscale");
    const groupPhoto = faceManifest.files.find((x) => x.labels.faces >= 2);
    if (!stranger || !groupPhoto) break;
    return { graduation: f.path, admission, stranger: stranger.path, groupPhoto: groupPhoto.path };
  }
  throw new Error("the dev set has no labelled-compliant photo with a partner that the checks accept");
}

interface StudioFile { path: string; identity: string; labels: { expected_compliant: boolean; frontal: boolean; accessories: string[]; issues: string[] } }
const studioManifest = JSON.parse(readFileSync(testdataDir("faces-studio", "manifest.json"), "utf8")) as { files: StudioFile[] };

/**
 * `n` labelled-compliant studio portraits of `n` different people (Face Research Lab London Set,
 * CC BY 4.0) that the pipeline accepts as camera uploads (checks and standardised output): genuinely
 * different photos for the "3 different qualifying photos" rule.
 */
export async function pickQualifyingPhotos(n: number): Promise<Array<{ path: string; file: string; bytes: Buffer }>> {
  const taken = new Set<string>();
  const out: Array<{ path: string; file: string; bytes: Buffer }> = [];
  for (const f of studioManifest.files) {
    if (out.length === n) break;
    if (!f.labels.expected_compliant || taken.has(f.identity)) continue;
    const file = testdataDir("faces-studio", f.path);
    const bytes = readFileSync(file);
    if (!(await check(bytes, {}, { origin: "camera" })).compliant) continue;
    if (!(await standardize(bytes)).report.compliant) continue;
    out.push({ path: f.path, file, bytes });
    taken.add(f.identity);
  }
  if (out.length < n) throw new Error(`the studio set has only ${out.length} accepted photos of different people`);
  return out;
}

export interface EarringPhoto {
  /** the portrait: path in faces-studio, file, bytes */
  path: string;
  file: string;
  bytes: Buffer;
  /** where no_accessories places the suspected earring (upright source pixels) and the image size */
  spot: { x: number; y: number; r: number };
  width: number;
  height: number;
  /** the same person's other frontal view, for the 录取照片 */
  admission: { path: string; file: string; bytes: Buffer };
}

/**
 * A studio portrait (Face Research Lab London Set, CC BY 4.0) labelled frontal with earrings as its
 * only issue that the pipeline accepts as a camera upload with the no_accessories warning (and
 * standardises), with another frontal view of the same person for the 录取照片. Of those, the one the
 * check flags most strongly (the largest blob): in this set the weaker flags circle a bright ear rim
 * above the stud, the strongest circles the stud itself, which is what a screenshot should show.
 */
export async function pickEarringPhoto(): Promise<EarringPhoto> {
  let best: (EarringPhoto & { blob: number }) | null = null;
  for (const f of studioManifest.files) {
    const l = f.labels;
    if (!l.frontal || !l.accessories.includes("earrings") || !l.issues.every((i) => i === "accessories")) continue;
    const other = studioManifest.files.find((o) => o.identity === f.identity && o.path !== f.path && o.labels.frontal);
    if (!other) continue;
    const file = testdataDir("faces-studio", f.path);
    const bytes = readFileSync(file);
    const r = await check(bytes, {}, { origin: "camera" });
    const acc = r.checks.find((c) => c.id === "no_accessories");
    const v = acc?.value as { blob: number; x: number; y: number; r: number } | undefined;
    // compliant: the earring is the only finding, a warning
    if (!r.compliant || !acc || acc.passed || !v || (best && v.blob <= best.blob)) continue;
    if (!(await standardize(bytes)).report.compliant) continue;
    const meta = await sharp(bytes).metadata();
    const otherFile = testdataDir("faces-studio", other.path);
    best = { path: f.path, file, bytes, spot: { x: v.x, y: v.y, r: v.r }, width: meta.width!, height: meta.height!, admission: { path: other.path, file: otherFile, bytes: readFileSync(otherFile) }, blob: v.blob };
  }
  if (!best) throw new Error("the studio set has no frontal earring portrait that the check flags");
  const { blob: _, ...photo } = best;
  return photo;
}
