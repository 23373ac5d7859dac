import { readFileSync } from "node:fs";
import sharp from "sharp";
import { beforeAll, describe, expect, it } from "vitest";
import { testdataDir } from "@gradphoto/testkit";
import { photoMarks } from "../src/services/photo-marks.js";
import { photoForm, startJourney, toPhotoStep, type Journey } from "./journey-harness.js";

describe("photoMarks: a failed check's spot on the uploaded and on the standard photo", () => {
  const report = {
    source: { width: 900, height: 1200 },
    output: { crop: { x: 150, y: 200, width: 600, height: 800 } },
    checks: [
      { id: "no_accessories", passed: false, value: { blob: 34, ear: "left", x: 300, y: 600, r: 30 } },
      { id: "mouth_closed", passed: false, value: { opening: 0.2 } }, // no spot
      { id: "eyes_open", passed: true, value: { x: 1, y: 1, r: 1 } }, // passed: nothing to mark
    ],
  };
  it("maps source pixels onto each image as fractions", () => {
    expect(photoMarks(report, "original")).toEqual([{ check: "no_accessories", x: 0.3333, y: 0.5, r: 0.0333, aspect: 1.3333, label: "疑似耳饰" }]);
    expect(photoMarks(report, "standardized")).toEqual([{ check: "no_accessories", x: 0.25, y: 0.5, r: 0.05, aspect: 1.3333, label: "疑似耳饰" }]);
  });
  it("leaves out a spot the standard photo's crop does not show, and reports stored before the fields existed", () => {
    expect(photoMarks({ ...report, output: { crop: { x: 400, y: 0, width: 300, height: 400 } } }, "standardized")).toEqual([]);
    expect(photoMarks({ checks: report.checks }, "original")).toEqual([]);
    expect(photoMarks({ checks: report.checks, source: report.source }, "standardized")).toEqual([]);
    expect(photoMarks(null, "original")).toEqual([]);
    expect(photoMarks({ checks: "garbage" }, "original")).toEqual([]);
  });
});

interface StudioFile {
  path: string;
  identity: string;
  labels: { frontal: boolean; accessories: string[]; issues: string[] };
}
const studio = (JSON.parse(readFileSync(testdataDir("faces-studio", "manifest.json"), "utf8")) as { files: StudioFile[] }).files;

interface Gray {
  d: Uint8Array;
  w: number;
  h: number;
}
async function gray(bytes: Buffer): Promise<Gray> {
  const { data, info } = await sharp(bytes).rotate().grayscale().raw().toBuffer({ resolveWithObject: true });
  return { d: new Uint8Array(data), w: info.width, h: info.height };
}
/** Normalised cross-correlation of the (2·half+1)² patches centred at (ax, ay) in A and (bx, by) in B; pixels outside either image are skipped. */
function ncc(A: Gray, ax: number, ay: number, B: Gray, bx: number, by: number, half: number): number {
  let n = 0, sa = 0, sb = 0, saa = 0, sbb = 0, sab = 0;
  for (let y = -half; y <= half; y++) {
    for (let x = -half; x <= half; x++) {
      const [xa, ya, xb, yb] = [ax + x, ay + y, bx + x, by + y];
      if (xa < 0 || ya < 0 || xa >= A.w || ya >= A.h || xb < 0 || yb < 0 || xb >= B.w || yb >= B.h) continue;
      const a = A.d[ya * A.w + xa]!, b = B.d[yb * B.w + xb]!;
      n++, (sa += a), (sb += b), (saa += a * a), (sbb += b * b), (sab += a * b);
    }
  }
  const cov = sab - (sa * sb) / n, va = saa - (sa * sa) / n, vb = sbb - (sb * sb) / n;
  return va > 0 && vb > 0 ? cov / Math.sqrt(va * vb) : 0;
}

describe("a suspected earring is marked for the graduate and for the reviewer (faces-studio, CC BY 4.0)", () => {
  let j: Journey;
  beforeAll(async () => {
    j = await startJourney();
  }, 180_000);

  it("the upload's mark and the review's mark circle the same spot of the photo", async () => {
    const campaignId = await j.campaign({ schoolPaid: true });
    const admin = await j.staff("OPERATOR");
    // frontal earring photos whose only labelled issue is the earrings, in manifest order: the first the check flags
    const candidates = studio.filter((f) => f.labels.frontal && f.labels.accessories.includes("earrings") && f.labels.issues.every((i) => i === "accessories"));
    expect(candidates.length).toBeGreaterThanOrEqual(6);
    let flagged: { bytes: Buffer; token: string; submissionId: string; photo: { id: string; marks: Array<{ x: number; y: number; r: number; aspect: number; check: string; label: string }> } } | null = null;
    let identity = "";
    for (const f of candidates) {
      const entry = await j.rosterEntry(campaignId, null);
      const g = await toPhotoStep(j, campaignId, entry);
      const bytes = readFileSync(testdataDir("faces-studio", f.path));
      const up = await j.call("POST", `/api/submissions/${g.submissionId}/photos?source=CAMERA`, { token: g.token, form: photoForm(bytes) });
      expect(up.status).toBe(200);
      if (up.body.photo.checks.find((c: { id: string }) => c.id === "no_accessories")?.passed !== false) {
        expect(up.body.photo.marks).toEqual([]);
        continue;
      }
      flagged = { bytes, token: g.token, submissionId: g.submissionId, photo: up.body.photo };
      identity = f.identity;
      // the admission photo: the same person's other frontal view
      const other = studio.find((o) => o.identity === f.identity && o.path !== f.path && o.labels.frontal)!;
      const fd = new FormData();
      fd.append("file", new Blob([new Uint8Array(readFileSync(testdataDir("faces-studio", other.path)))], { type: "image/jpeg" }), "admission.jpg");
      expect((await j.call("POST", `/api/staff/roster-entries/${entry.entryId}/admission-photo`, { token: admin.token, form: fd })).status).toBe(200);
      break;
    }
    expect(flagged, "no frontal earring photo was flagged").not.toBeNull();
    const { bytes, token, submissionId, photo } = flagged!;

    // the graduate's mark, on the photo as uploaded: where the check said, with a size near the ear
    expect(photo.marks).toHaveLength(1);
    const m = photo.marks[0]!;
    expect(m).toMatchObject({ check: "no_accessories", label: "疑似耳饰" });
    const meta = await sharp(bytes).metadata();
    expect(m.aspect).toBeCloseTo(meta.height! / meta.width!, 3);
    expect(m.r).toBeGreaterThan(0.005);
    expect(m.r).toBeLessThan(0.1);

    // standardise (a warning does not stop it), submit, compare, and claim it as a reviewer
    const st = await j.call("POST", `/api/submissions/${submissionId}/photos/${photo.id}/standardize`, { token });
    expect(st.status, JSON.stringify(st.body).slice(0, 400)).toBe(200);
    expect(st.body.photo.standardizedUrl).toBeTruthy();
    expect(st.body.photo.marks).toEqual(photo.marks); // the standardised report keeps the source size
    expect((await j.call("POST", `/api/submissions/${submissionId}/submit`, { token, body: { photoId: photo.id } })).status).toBe(200);
    const cmp = await j.call("POST", `/api/submissions/${submissionId}/admission-photo/confirm`, { token });
    expect(cmp.status).toBe(200);
    expect(cmp.body.submission.state, `${identity}: ${JSON.stringify(cmp.body.comparison)}`).toBe("REVIEWING");
    const reviewer = await j.staff("REVIEWER");
    const next = await j.call("POST", "/api/staff/reviews/next", { token: reviewer.token, body: { campaignId } });
    expect(next.status).toBe(200);
    expect(next.body.submission.id).toBe(submissionId);
    expect(next.body.marks).toHaveLength(1);
    const rm = next.body.marks[0];
    expect(rm).toMatchObject({ check: "no_accessories", label: "疑似耳饰" });
    expect(rm.aspect).toBeCloseTo(4 / 3, 3); // the standard photo is 3:4

    // both marks circle the same spot: the original, brought to the standard photo's scale (the ratio
    // of the two rings), and the standard photo are matched around the marks (normalised correlation of
    // luma, a patch of 6 ring radii reaching onto the cheek); the best match must sit where the review's
    // mark says, to within a third of a ring.
    const db = await j.deps.db.photo.findUniqueOrThrow({ where: { id: photo.id } });
    const std = await j.deps.storage.get(db.standardizedKey!);
    const sm = await sharp(std).metadata();
    const [sx, sy, sr] = [rm.x * sm.width!, rm.y * sm.height!, rm.r * sm.width!];
    const k = sr / (m.r * meta.width!);
    const A = await gray(await sharp(bytes).rotate().resize(Math.round(meta.width! * k)).toBuffer());
    const B = await gray(std);
    const inward = m.x < 0.5 ? 1 : -1; // centre the patch towards the face: structure (lobe, jaw, hair), not backdrop
    const half = Math.round(3 * sr);
    const ax = Math.round(m.x * A.w + inward * 1.5 * sr), ay = Math.round(m.y * A.h);
    let best = { v: -2, x: 0, y: 0 };
    for (let dy = -Math.round(2 * sr); dy <= Math.round(2 * sr); dy++) {
      for (let dx = -Math.round(2 * sr); dx <= Math.round(2 * sr); dx++) {
        const v = ncc(A, ax, ay, B, Math.round(sx + inward * 1.5 * sr) + dx, Math.round(sy) + dy, half);
        if (v > best.v) best = { v, x: dx, y: dy };
      }
    }
    expect(best.v, "the two patches should look alike").toBeGreaterThan(0.8);
    expect(Math.hypot(best.x, best.y), `best match ${best.x},${best.y} px from the review's mark (ring radius ${sr.toFixed(1)} px)`).toBeLessThan(sr / 3 + 1);
  }, 120_000);
});
