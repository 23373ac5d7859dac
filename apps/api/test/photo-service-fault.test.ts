import { mkdtempSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { faceBytes, faceManifest, photoForm, startJourney, toPhotoStep, type Journey } from "./journey-harness.js";

// The photo models are missing (a deployment without MODEL_DIR, a corrupt copy): every check is the
// service's fault, not the graduate's. Set before any model is loaded in this file's process.
process.env.MODEL_DIR = mkdtempSync(path.join(os.tmpdir(), "no-models-"));

let j: Journey;
let g: { token: string; submissionId: string };
const photo = () => faceBytes(faceManifest.files.find((f) => f.labels.expected_compliant)!.path);

beforeAll(async () => {
  j = await startJourney();
  const campaignId = await j.campaign();
  g = await toPhotoStep(j, campaignId, await j.rosterEntry(campaignId, null));
}, 180_000);

describe("the photo models unavailable", () => {
  it("an upload answers 503 PHOTO_SERVICE_UNAVAILABLE in Chinese, stores nothing and leaks no internals", async () => {
    const r = await j.call("POST", `/api/submissions/${g.submissionId}/photos?source=CAMERA`, { token: g.token, form: photoForm(photo()) });
    expect(r.status).toBe(503);
    expect(r.body).toEqual({ code: "PHOTO_SERVICE_UNAVAILABLE", message: "照片检测服务暂时不可用，请稍后再试" });
    expect(await j.deps.db.photo.count({ where: { submissionId: g.submissionId } })).toBe(0);
  });

  it("the free pre-check answers 503 and takes none of the day's free checks", async () => {
    const r = await j.call("POST", `/api/submissions/${g.submissionId}/photo-precheck?source=ALBUM`, { token: g.token, form: photoForm(photo()) });
    expect(r.status).toBe(503);
    expect(r.body.code).toBe("PHOTO_SERVICE_UNAVAILABLE");
    expect(await j.deps.db.auditLog.count({ where: { targetId: g.submissionId, action: { contains: "precheck" } } })).toBe(0);
  });
});
