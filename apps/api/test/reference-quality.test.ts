import sharp from "sharp";
import { beforeAll, describe, expect, it } from "vitest";
import { faceBytes, photoForm, startJourney, submitPhoto, toPhotoStep, type Journey } from "./journey-harness.js";
import { pickJourneyPhotos, type JourneyPhotos } from "./journey-data.js";

let j: Journey;
let photos: JourneyPhotos;

beforeAll(async () => {
  j = await startJourney();
  photos = await pickJourneyPhotos();
}, 180_000);

/** An old admission photo as the face evaluation degrades it: 150 px wide, grey, JPEG quality 40. */
const degradeReference = (buf: Buffer) => sharp(buf).rotate().resize({ width: 150, withoutEnlargement: true }).grayscale().jpeg({ quality: 40 }).toBuffer();

/** A roster entry whose admission photo is replaced by `bytes` through the staff route (the import's checks). */
async function entryWithAdmission(campaignId: string, bytes: Buffer) {
  const admin = await j.staff("OPERATOR");
  const entry = await j.rosterEntry(campaignId, null);
  const f = new FormData();
  f.append("file", new Blob([new Uint8Array(bytes)], { type: "image/jpeg" }), "admission.jpg");
  const up = await j.call("POST", `/api/staff/roster-entries/${entry.entryId}/admission-photo`, { token: admin.token, form: f });
  expect(up.status, JSON.stringify(up.body)).toBe(200);
  return entry;
}

describe("old, small admission photos (#21)", () => {
  it("a degraded admission photo of someone else: under 80, told it may be the admission photo, sent to the school's review with the reason — not the graduate's failure", async () => {
    const campaignId = await j.campaign({ schoolPaid: true });
    const entry = await entryWithAdmission(campaignId, await degradeReference(faceBytes(photos.stranger)));
    const g = await toPhotoStep(j, campaignId, entry);
    await submitPhoto(j, g.token, g.submissionId, photos.graduation);
    const cmp = await j.call("POST", `/api/submissions/${g.submissionId}/admission-photo/confirm`, { token: g.token });
    expect(cmp.status).toBe(200);
    const c = cmp.body.comparison;
    expect(c.passed).toBe(false);
    expect(c.score).toBeLessThan(80);
    expect(c.qualifying).toBe(false);
    expect(c.qualifyingFailures).toBe(0);
    expect(c.referral).toMatchObject({ reason: "LOW_QUALITY_REFERENCE" });
    expect(c.message).toMatch(/录取照片质量较低.*黑白照片.*压缩严重.*不计为您的照片未通过.*人工审核/);
    expect(cmp.body.submission.state).toBe("REVIEWING");

    const stored = await j.deps.db.comparison.findFirstOrThrow({ where: { submissionId: g.submissionId } });
    expect(stored.referralReason).toBe("LOW_QUALITY_REFERENCE");
    expect(stored.referenceQuality).toMatchObject({ grayscale: true, jpegQuality: 40, lowQuality: true });
    expect((stored.referenceQuality as { faceWidth: number }).faceWidth).toBeLessThan(150);
    const entryAfter = await j.deps.db.rosterEntry.findFirstOrThrow({ where: { uniqueNumber: entry.uniqueNumber } });
    expect(entryAfter.admissionPhotoStatus).toBe("PRESENT"); // not a dispute

    // the reviewer sees the score with the reason
    const reviewer = await j.staff("REVIEWER");
    const next = await j.call("POST", "/api/staff/reviews/next", { token: reviewer.token, body: { campaignId } });
    expect(next.status).toBe(200);
    expect(next.body.submission.id).toBe(g.submissionId);
    expect(next.body.referralNote).toMatch(/比对 \d+(\.\d)? 分，低于 80 分；录取照片质量较低（[^）]*黑白照片、压缩严重）.*请人工核对是否本人/);
    // customer service's history shows the referral and what is wrong with the admission photo
    const service = await j.staff("CUSTOMER_SERVICE");
    const h = await j.call("GET", `/api/staff/submissions/${g.submissionId}/history`, { token: service.token });
    expect(h.status).toBe(200);
    expect(h.body.comparisons[0]).toMatchObject({ referralReason: "LOW_QUALITY_REFERENCE", provider: "local", fallbackReason: null });
    expect(h.body.comparisons[0].referenceIssues).toEqual(expect.arrayContaining(["GRAYSCALE", "HEAVY_COMPRESSION"]));
    expect(h.body.comparisons[0].referenceIssuesText).toMatch(/黑白照片.*压缩严重/);
  });

  it("a clean colour admission photo of someone else still counts as the graduate's failed photo", async () => {
    const campaignId = await j.campaign({ schoolPaid: true });
    const entry = await entryWithAdmission(campaignId, faceBytes(photos.stranger));
    const g = await toPhotoStep(j, campaignId, entry);
    await submitPhoto(j, g.token, g.submissionId, photos.graduation);
    const cmp = await j.call("POST", `/api/submissions/${g.submissionId}/admission-photo/confirm`, { token: g.token });
    expect(cmp.body.comparison.passed).toBe(false);
    expect(cmp.body.comparison.referral ?? null).toBeNull();
    expect(cmp.body.submission.state).toBe("COMPARE_BLOCKED");
    const stored = await j.deps.db.comparison.findFirstOrThrow({ where: { submissionId: g.submissionId } });
    expect(stored.referralReason).toBeNull();
    expect(stored.referenceQuality).toMatchObject({ lowQuality: false });
  });

  it("a tiny-faced admission photo of the graduate is imported and compared, not refused or disputed", async () => {
    const small = await sharp(faceBytes(photos.admission)).resize({ width: 48 }).png().toBuffer();
    const tiny = await sharp({ create: { width: 200, height: 260, channels: 3, background: { r: 210, g: 215, b: 220 } } })
      .composite([{ input: small, left: 76, top: 90 }])
      .jpeg({ quality: 70 })
      .toBuffer();
    const campaignId = await j.campaign({ schoolPaid: true });
    const entry = await entryWithAdmission(campaignId, tiny);
    const g = await toPhotoStep(j, campaignId, entry);
    await submitPhoto(j, g.token, g.submissionId, photos.graduation);
    const cmp = await j.call("POST", `/api/submissions/${g.submissionId}/admission-photo/confirm`, { token: g.token });
    expect(cmp.status).toBe(200);
    expect(cmp.body.comparison.error).toBeNull();
    expect(cmp.body.comparison.score).not.toBeNull();
    expect(["REVIEWING", "APPROVED"]).toContain(cmp.body.submission.state);
    const stored = await j.deps.db.comparison.findFirstOrThrow({ where: { submissionId: g.submissionId } });
    expect((stored.referenceQuality as { reasons: string[] }).reasons).toContain("SMALL_FACE");
    if (!cmp.body.comparison.passed) expect(cmp.body.comparison.referral).toMatchObject({ reason: "LOW_QUALITY_REFERENCE" });
  });
});
