import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import sharp from "sharp";
import { decodeRgb, detectFaces } from "@gradphoto/vision";

/** Attribution the faces-studio licence (CC BY 4.0) requires wherever its images are shown. */
export const STUDIO_ATTRIBUTION =
  "Demo photos: Face Research Lab London Set — DeBruine, L., & Jones, B. (2017), figshare, https://doi.org/10.6084/m9.figshare.5047666.v5, CC BY 4.0 (cropped and re-encoded).";

interface StudioFile {
  path: string;
  identity: string;
  labels: { expected_compliant: boolean; frontal: boolean; faces: number };
  capture: { expression?: string };
}

export interface DemoPerson {
  /** the photo a demo graduate takes (a frontal compliant studio photo) */
  graduationSource: string;
  /** another frontal photo of the same person, cropped into the admission photo */
  admissionSource: string;
}

/**
 * Demo people from ../shared/testdata/faces-studio, by label: a frontal, neutral photo labelled
 * compliant for the graduation photo, and another frontal photo of the same person (the smiling
 * one) for the 录取照片 — two different captures, as in real life.
 */
export function pickStudioPeople(studioDir: string, max: number): DemoPerson[] {
  const file = path.join(studioDir, "manifest.json");
  if (!existsSync(file)) return [];
  const files = (JSON.parse(readFileSync(file, "utf8")) as { files: StudioFile[] }).files;
  const out: DemoPerson[] = [];
  for (const f of files) {
    if (out.length >= max) break;
    if (!f.labels.expected_compliant || !f.labels.frontal || f.labels.faces !== 1 || f.capture.expression !== "neutral") continue;
    const other = files.find((x) => x.identity === f.identity && x.path !== f.path && x.labels.frontal && x.labels.faces === 1);
    if (!other) continue;
    out.push({ graduationSource: path.join(studioDir, f.path), admissionSource: path.join(studioDir, other.path) });
  }
  return out;
}

async function faceBox(bytes: Buffer) {
  const img = await decodeRgb(bytes);
  const faces = await detectFaces(img);
  const f = faces.sort((a, b) => b.box.width * b.box.height - a.box.width * a.box.height)[0];
  if (!f) throw new Error("no face in the demo photo");
  return { img, box: f.box };
}

/** A 3:4 crop (width × height) around the face, `widthFaces` face-widths wide, the eyes in the upper part. */
async function crop3x4(bytes: Buffer, widthFaces: number, outWidth: number, quality: number): Promise<Buffer> {
  const { img, box } = await faceBox(bytes);
  let w = Math.min(img.width, Math.round(box.width * widthFaces));
  let h = Math.round((w * 4) / 3);
  if (h > img.height) {
    h = img.height;
    w = Math.round((h * 3) / 4);
  }
  const cx = box.x + box.width / 2;
  // head top a little above the detector's box, which starts around the hairline
  const top = box.y - box.height * 0.35 - (h - box.height * 1.35) * 0.22;
  const left = Math.round(Math.min(Math.max(0, cx - w / 2), img.width - w));
  const y = Math.round(Math.min(Math.max(0, top), img.height - h));
  return sharp(bytes).rotate().extract({ left, top: y, width: w, height: h }).resize({ width: Math.min(outWidth, w) }).jpeg({ quality, mozjpeg: true }).toBuffer();
}

/** The photo a demo graduate uploads: 3:4 portrait (meets the notice's album rule), the whole head and shoulders. */
export const demoGraduationPhoto = (source: string): Promise<Buffer> => crop3x4(readFileSync(source), 2.6, 900, 95);

/** A 录取照片 look-alike: a small head-and-shoulders 3:4 crop (360×480), as the admission system stores them. */
export const demoAdmissionPhoto = (source: string): Promise<Buffer> => crop3x4(readFileSync(source), 2.2, 360, 85);

export interface DemoPair {
  /** what the demo graduate uploads */
  graduation: Buffer;
  /** stored as the roster entry's 录取照片 */
  admission: Buffer;
  graduationSource: string;
  admissionSource: string;
}

/**
 * Demo pairs a newcomer succeeds with: each candidate runs the graduate's real path — album upload
 * checks, standardisation, comparison of the standardised photo with the admission photo — and only
 * pairs that pass everything are offered (a label is a person's judgement; the pipeline decides).
 */
export async function verifiedDemoPairs(studioDir: string, count: number, spec: unknown): Promise<DemoPair[]> {
  const [{ check, standardize }, { createFaceComparer }] = await Promise.all([import("@gradphoto/photo"), import("@gradphoto/face")]);
  const comparer = await createFaceComparer({ parallel: false });
  const out: DemoPair[] = [];
  try {
    for (const p of pickStudioPeople(studioDir, 40)) {
      if (out.length >= count) break;
      const graduation = await demoGraduationPhoto(p.graduationSource).catch(() => null);
      const admission = await demoAdmissionPhoto(p.admissionSource).catch(() => null);
      if (!graduation || !admission) continue;
      if (!(await check(graduation, spec as never, { origin: "album" })).compliant) continue;
      const std = await standardize(graduation, spec as never, { origin: "album" });
      if (!std.image || !std.report.compliant) continue;
      if (!(await comparer.compare(std.image, admission)).passed) continue;
      out.push({ graduation, admission, ...p });
    }
  } finally {
    await comparer.close();
  }
  return out;
}
