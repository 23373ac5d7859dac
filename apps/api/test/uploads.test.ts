import { randomBytes } from "node:crypto";
import { beforeAll, describe, expect, it } from "vitest";
import { photoForm, startJourney, toPhotoStep, type Journey } from "./journey-harness.js";

let j: Journey;
let g: { token: string; submissionId: string };

beforeAll(async () => {
  j = await startJourney();
  const campaignId = await j.campaign({ schoolPaid: true });
  const entry = await j.rosterEntry(campaignId, null);
  g = await toPhotoStep(j, campaignId, entry);
}, 180_000);

describe("bad uploads get the error shape, never a 500", () => {
  it("refuses a file over the size limit while streaming (413)", async () => {
    const r = await j.call("POST", `/api/submissions/${g.submissionId}/photos`, { token: g.token, form: photoForm(randomBytes(16 * 1024 * 1024)) });
    expect(r.status).toBe(413);
    expect(r.body).toMatchObject({ code: "PAYLOAD_TOO_LARGE", message: expect.stringMatching(/过大/) });
  });

  it("reports corrupt and non-image files as INVALID_IMAGE / UNSUPPORTED_FORMAT in the check report, and keeps the original", async () => {
    for (const bytes of [Buffer.from("this is not an image at all"), Buffer.concat([Buffer.from([0xff, 0xd8, 0xff, 0xe0]), randomBytes(2000)])]) {
      const r = await j.call("POST", `/api/submissions/${g.submissionId}/photos`, { token: g.token, form: photoForm(bytes) });
      expect(r.status).toBe(200);
      expect(r.body.photo.compliant).toBe(false);
      expect(["INVALID_IMAGE", "UNSUPPORTED_FORMAT"]).toContain(r.body.photo.error.code);
      expect(r.body.photo.error.message).toMatch(/[\u4e00-\u9fa5]/);
      expect(r.body.submission.state).toBe("PAID");
    }
    const stored = await j.deps.db.photo.findMany({ where: { submissionId: g.submissionId } });
    expect(stored.length).toBeGreaterThanOrEqual(2);
    for (const p of stored) expect(await j.deps.storage.exists(p.originalKey)).toBe(true);
  });

  it("refuses an empty file, a missing file and a non-multipart body with 400", async () => {
    const empty = await j.call("POST", `/api/submissions/${g.submissionId}/photos`, { token: g.token, form: photoForm(Buffer.alloc(0)) });
    expect(empty.status).toBe(400);
    const noFile = new FormData();
    noFile.append("note", "hello");
    expect((await j.call("POST", `/api/submissions/${g.submissionId}/photos`, { token: g.token, form: noFile })).status).toBe(400);
    const json = await j.call("POST", `/api/submissions/${g.submissionId}/photos`, { token: g.token, body: { photo: "base64?" } });
    expect(json.status).toBe(400);
    expect(json.body.code).toBe("VALIDATION_FAILED");
  });

  it("refuses standardising a photo that is not the current accepted one (409)", async () => {
    const p = await j.deps.db.photo.findFirstOrThrow({ where: { submissionId: g.submissionId } });
    const r = await j.call("POST", `/api/submissions/${g.submissionId}/photos/${p.id}/standardize`, { token: g.token });
    expect(r.status).toBe(409);
    expect(r.body.message).toMatch(/[\u4e00-\u9fa5]/);
  });
});
