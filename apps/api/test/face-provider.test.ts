import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startFakeTencent, type FakeTencent } from "@gradphoto/testkit";
import { startJourney, submitPhoto, toPhotoStep, type Journey } from "./journey-harness.js";
import { pickJourneyPhotos, type JourneyPhotos } from "./journey-data.js";

let j: Journey;
let photos: JourneyPhotos;
let fake: FakeTencent;

beforeAll(async () => {
  j = await startJourney();
  photos = await pickJourneyPhotos();
  fake = await startFakeTencent();
  // the server's Tencent Cloud settings (secrets come from the environment, never from the campaign)
  Object.assign(j.deps.config.env, { TENCENTCLOUD_SECRET_ID: fake.secretId, TENCENTCLOUD_SECRET_KEY: fake.secretKey, TENCENT_IAI_ENDPOINT: fake.endpoint, TENCENT_IAI_PROTOCOL: "http", TENCENT_IAI_TIMEOUT_MS: 500 });
}, 180_000);
afterAll(() => fake.close());

async function tencentCampaign(): Promise<string> {
  const campaignId = await j.campaign({ schoolPaid: true });
  const admin = await j.staff("OPERATOR");
  const patch = await j.call("PATCH", `/api/staff/campaigns/${campaignId}`, { token: admin.token, body: { faceProvider: "tencent" } });
  expect(patch.status, JSON.stringify(patch.body)).toBe(200);
  expect(patch.body.faceProvider).toBe("tencent");
  return campaignId;
}

/** the comparisons as the customer-service console's graduate history lists them */
async function history(submissionId: string): Promise<Array<Record<string, unknown>>> {
  const service = await j.staff("CUSTOMER_SERVICE");
  const h = await j.call("GET", `/api/staff/submissions/${submissionId}/history`, { token: service.token });
  expect(h.status, JSON.stringify(h.body)).toBe(200);
  return h.body.comparisons;
}

/** A graduate of a Tencent Cloud campaign who has submitted a photo (the comparison is next). */
async function submittedGraduate() {
  const campaignId = await tencentCampaign();
  const entry = await j.rosterEntry(campaignId, photos.admission);
  const g = await toPhotoStep(j, campaignId, entry);
  const { photoId } = await submitPhoto(j, g.token, g.submissionId, photos.graduation);
  return { entry, g, photoId };
}

describe("a campaign that compares with Tencent Cloud", () => {
  it("sends the standardised photo and the admission photo to CompareFace and records the provider", async () => {
    const { entry, g, photoId } = await submittedGraduate();
    fake.modes = [{ kind: "score", score: 55, version: "3.0" }]; // 3.0: 50 ↔ FAR 1e-4 ↔ our 80, 60 ↔ 90
    fake.requests.length = 0;
    const cmp = await j.call("POST", `/api/submissions/${g.submissionId}/admission-photo/confirm`, { token: g.token });
    expect(cmp.status).toBe(200);
    expect(cmp.body.comparison).toMatchObject({ score: 85, passed: true });
    expect(fake.requests).toHaveLength(1);
    expect(fake.requests[0]!.authError).toBeUndefined();
    const photo = await j.deps.db.photo.findUniqueOrThrow({ where: { id: photoId } });
    const entryRow = await j.deps.db.rosterEntry.findFirstOrThrow({ where: { uniqueNumber: entry.uniqueNumber } });
    // only the standardised photo and the admission photo, never the original upload
    expect(Buffer.from(fake.requests[0]!.body.ImageA!, "base64").equals(await j.deps.storage.get(photo.standardizedKey!))).toBe(true);
    expect(Buffer.from(fake.requests[0]!.body.ImageA!, "base64").equals(await j.deps.storage.get(photo.originalKey))).toBe(false);
    expect(Buffer.from(fake.requests[0]!.body.ImageB!, "base64").equals(await j.deps.storage.get(entryRow.admissionPhotoKey!))).toBe(true);
    const stored = await j.deps.db.comparison.findFirstOrThrow({ where: { submissionId: g.submissionId } });
    expect(stored).toMatchObject({ provider: "tencent", fallbackReason: null, modelId: "tencent-iai-compareface-3.0", score: 85 });
    // customer service sees who scored
    expect((await history(g.submissionId))[0]).toMatchObject({ provider: "tencent", fallbackReason: null, modelId: "tencent-iai-compareface-3.0", score: 85, passed: true });
  });

  it("runs one comparison at a time: a second confirm while Tencent Cloud is scoring gets 409 and is not sent (nor billed)", async () => {
    const { g } = await submittedGraduate();
    const timeout = j.deps.config.env.TENCENT_IAI_TIMEOUT_MS;
    j.deps.config.env.TENCENT_IAI_TIMEOUT_MS = 30_000; // the held call must not time out into the local fallback
    let release!: () => void;
    // the first call is held; any later one would be answered at once
    fake.modes = [{ kind: "score", score: 55, version: "3.0", hold: new Promise<void>((r) => (release = r)) }, { kind: "score", score: 55, version: "3.0" }];
    fake.requests.length = 0;
    try {
      const first = j.call("POST", `/api/submissions/${g.submissionId}/admission-photo/confirm`, { token: g.token });
      await expect.poll(() => fake.requests.length, { timeout: 20_000 }).toBe(1); // the first is at Tencent Cloud
      // a double tap, a request sent again after a weak-network timeout, or a second phone
      const second = await j.call("POST", `/api/submissions/${g.submissionId}/admission-photo/confirm`, { token: g.token });
      expect(second.status).toBe(409);
      expect(second.body).toMatchObject({ code: "COMPARISON_IN_PROGRESS", message: "正在比对，请稍候" });
      release();
      const done = await first;
      expect(done.status, JSON.stringify(done.body)).toBe(200);
      expect(done.body.comparison).toMatchObject({ score: 85, passed: true });
      expect(fake.requests).toHaveLength(1); // billed once
      expect(await j.deps.db.comparison.count({ where: { submissionId: g.submissionId } })).toBe(1);
      expect((await j.deps.db.submission.findUniqueOrThrow({ where: { id: g.submissionId } })).comparingSince).toBeNull();
    } finally {
      release();
      j.deps.config.env.TENCENT_IAI_TIMEOUT_MS = timeout;
    }
  }, 60_000);

  it("releases the claim when a comparison fails, and takes over one left by a process that died", async () => {
    const { entry, g } = await submittedGraduate();
    // the admission photo cannot be read: the comparison fails with 503, and the graduate may try again
    const row = await j.deps.db.rosterEntry.findFirstOrThrow({ where: { uniqueNumber: entry.uniqueNumber } });
    await j.deps.db.rosterEntry.update({ where: { id: row.id }, data: { admissionPhotoKey: `${row.admissionPhotoKey}-gone` } });
    const failed = await j.call("POST", `/api/submissions/${g.submissionId}/admission-photo/confirm`, { token: g.token });
    expect(failed.status, JSON.stringify(failed.body)).toBeGreaterThanOrEqual(400);
    expect((await j.deps.db.submission.findUniqueOrThrow({ where: { id: g.submissionId } })).comparingSince).toBeNull();
    await j.deps.db.rosterEntry.update({ where: { id: row.id }, data: { admissionPhotoKey: row.admissionPhotoKey } });
    // a claim from a run that never finished (its process died): fresh, it holds; after two minutes it is taken over
    await j.deps.db.submission.update({ where: { id: g.submissionId }, data: { comparingSince: new Date(Date.now() - 30_000) } });
    expect((await j.call("POST", `/api/submissions/${g.submissionId}/admission-photo/confirm`, { token: g.token })).body.code).toBe("COMPARISON_IN_PROGRESS");
    await j.deps.db.submission.update({ where: { id: g.submissionId }, data: { comparingSince: new Date(Date.now() - 180_000) } });
    fake.modes = [{ kind: "score", score: 55, version: "3.0" }];
    const ok = await j.call("POST", `/api/submissions/${g.submissionId}/admission-photo/confirm`, { token: g.token });
    expect(ok.status, JSON.stringify(ok.body)).toBe(200);
    expect(ok.body.comparison.passed).toBe(true);
    expect((await j.deps.db.submission.findUniqueOrThrow({ where: { id: g.submissionId } })).comparingSince).toBeNull();
  }, 60_000);

  it("falls back to the local model when Tencent Cloud hangs, and records it", async () => {
    const { g } = await submittedGraduate();
    fake.modes = [{ kind: "hang" }];
    const cmp = await j.call("POST", `/api/submissions/${g.submissionId}/admission-photo/confirm`, { token: g.token });
    expect(cmp.status).toBe(200);
    expect(cmp.body.comparison.score).not.toBeNull();
    const stored = await j.deps.db.comparison.findFirstOrThrow({ where: { submissionId: g.submissionId } });
    expect(stored.provider).toBe("local");
    expect(stored.fallbackReason).toBe("ClientTimeout");
    expect(stored.modelId).toBe("faceplugin-mfn-512");
    // and that the cloud failed, so the local model answered
    expect((await history(g.submissionId))[0]).toMatchObject({ provider: "local", fallbackReason: "ClientTimeout", modelId: "faceplugin-mfn-512" });
  }, 60_000);
});
