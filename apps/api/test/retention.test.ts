import { beforeAll, describe, expect, it } from "vitest";
import { encryptIdNumber, phoneSearchHash } from "../src/lib/id-crypto.js";
import { purgeDueCampaigns } from "../src/services/admin/retention.js";
import { faceBytes, faceManifest, startJourney, type Journey } from "./journey-harness.js";

let j: Journey;
beforeAll(async () => {
  j = await startJourney();
}, 180_000);

const DAY = 86400_000;

/** A campaign that closed `closedDaysAgo` days ago with one graduate's full trail of personal data. */
async function closedCampaign(closedDaysAgo: number) {
  const campaignId = await j.campaign({ schoolPaid: true });
  await j.deps.db.campaign.update({ where: { id: campaignId }, data: { status: "CLOSED", opensAt: new Date(Date.now() - (closedDaysAgo + 30) * DAY), closesAt: new Date(Date.now() - closedDaysAgo * DAY) } });
  const key = j.deps.config.idEncryptionKey;
  const entry = await j.deps.db.rosterEntry.create({
    data: { campaignId, uniqueNumber: `2026R${Date.now() % 1e8}`, name: "刘洋", idNumberMasked: "110***********4514", idNumberEncrypted: new Uint8Array(encryptIdNumber(key, "110101199003074514")), phoneEncrypted: new Uint8Array(encryptIdNumber(key, "13800000009")), phoneHash: phoneSearchHash(key, "13800000009"), college: "文学院", major: "汉语言", degreeLevel: "本科" },
  });
  const user = await j.deps.db.wechatUser.create({ data: { openid: `o-retention-${Date.now()}` } });
  await j.deps.db.captureCode.create({ data: { rawText: "GPQR1:secret-code-text", rawSha256: "0".repeat(64), provider: "demo", decodedFields: { maskedName: "刘*" }, uniqueNumber: entry.uniqueNumber, rosterEntryId: entry.id, wechatUserId: user.id } });
  const s = await j.deps.db.submission.create({ data: { campaignId, wechatUserId: user.id, rosterEntryId: entry.id, state: "APPROVED", consentVersion: 1 } });
  const face = faceBytes(faceManifest.files[0]!.path);
  const keys = {
    firstOriginal: `photos/${s.id}/a/original`,
    firstStandard: `photos/${s.id}/a/standard.jpg`,
    original: `photos/${s.id}/b/original`,
    standard: `photos/${s.id}/b/standard.jpg`,
    print: `photos/${s.id}/b/print.jpg`,
    export: `exports/${s.id}/export.zip`,
    roster: `imports/${s.id}/roster.csv`,
  };
  for (const k of Object.values(keys)) await j.deps.storage.put(k, face);
  const first = await j.deps.db.photo.create({ data: { submissionId: s.id, source: "CAMERA", originalKey: keys.firstOriginal, standardizedKey: keys.firstStandard, originalSha256: "1".repeat(64), originalBytes: face.length, checkReport: { checks: [] } } });
  const registered = await j.deps.db.photo.create({ data: { submissionId: s.id, source: "CAMERA", originalKey: keys.original, standardizedKey: keys.standard, printKey: keys.print, originalSha256: "2".repeat(64), originalBytes: face.length, checkReport: { checks: [] } } });
  await j.deps.db.submission.update({ where: { id: s.id }, data: { submittedPhotoId: registered.id, currentPhotoId: registered.id } });
  await j.deps.db.review.create({ data: { submissionId: s.id, photoId: registered.id, decision: "APPROVED" } });
  const admin = await j.staff("SCHOOL_ADMIN");
  await j.deps.db.exportJob.create({ data: { campaignId, requestedBy: admin.id, status: "DONE", objectKey: keys.export } });
  await j.deps.db.rosterImport.create({ data: { campaignId, requestedBy: admin.id, kind: "ROSTER", status: "DONE", objectKey: keys.roster } });
  return { campaignId, entryId: entry.id, submissionId: s.id, firstId: first.id, registeredId: registered.id, keys, admin };
}

describe("personal-data retention", () => {
  it("a dry run reports, the purge deletes originals, intermediate photos and decrypted fields, keeps the registered photo and the audit trail", async () => {
    const c = await closedCampaign(200); // default period 180 days: due
    const dry = await j.call("GET", `/api/staff/campaigns/${c.campaignId}/retention`, { token: c.admin.token });
    expect(dry.status).toBe(200);
    expect(dry.body).toMatchObject({ due: true, retentionDays: 180, purgedAt: null, photoRowsDeleted: 1, registeredPhotosKept: 1, objectsDeleted: 6, rosterEntriesCleared: 1, captureCodesCleared: 1, exportsDeleted: 1, importFilesDeleted: 1 });
    // a dry run changes nothing
    for (const k of Object.values(c.keys)) expect(await j.deps.storage.exists(k), k).toBe(true);

    const purged = await j.call("POST", `/api/staff/campaigns/${c.campaignId}/retention/purge`, { token: c.admin.token });
    expect(purged.status).toBe(200);
    expect(purged.body.purgedAt).not.toBeNull();
    const { keys } = c;
    expect(await j.deps.storage.exists(keys.standard)).toBe(true); // the registered photo
    for (const k of [keys.firstOriginal, keys.firstStandard, keys.original, keys.print, keys.export, keys.roster]) expect(await j.deps.storage.exists(k), k).toBe(false);
    expect(await j.deps.db.photo.findUnique({ where: { id: c.firstId } })).toBeNull();
    expect(await j.deps.db.photo.findUniqueOrThrow({ where: { id: c.registeredId } })).toMatchObject({ standardizedKey: keys.standard, originalKey: keys.standard, printKey: null });
    expect(await j.deps.db.rosterEntry.findUniqueOrThrow({ where: { id: c.entryId } })).toMatchObject({ name: "刘洋", idNumberMasked: "110***********4514", idNumberEncrypted: null, phoneEncrypted: null, phoneHash: null });
    expect(await j.deps.db.captureCode.findFirstOrThrow({ where: { rosterEntryId: c.entryId } })).toMatchObject({ rawText: "", decodedFields: {} });
    expect(await j.deps.db.review.count({ where: { submissionId: c.submissionId } })).toBe(1);
    const entry = await j.deps.db.auditLog.findFirstOrThrow({ where: { action: "retention.purged", targetId: c.campaignId } });
    expect(entry).toMatchObject({ actorType: "STAFF", actorId: c.admin.id, after: expect.objectContaining({ photoRowsDeleted: 1, objectsDeleted: 6 }) });
    // the staff history still opens, showing the registered photo
    const cs = await j.staff("CUSTOMER_SERVICE");
    const h = await j.call("GET", `/api/staff/submissions/${c.submissionId}/history`, { token: cs.token });
    expect(h.status).toBe(200);
    expect(h.body.photos).toHaveLength(1);
  });

  it("not before the school's period is over: the purge is refused, the daily sweep leaves it, a longer period moves the date", async () => {
    const c = await closedCampaign(100);
    const dry = await j.call("GET", `/api/staff/campaigns/${c.campaignId}/retention`, { token: c.admin.token });
    expect(dry.body).toMatchObject({ due: false, retentionDays: 180 });
    const refused = await j.call("POST", `/api/staff/campaigns/${c.campaignId}/retention/purge`, { token: c.admin.token });
    expect(refused).toMatchObject({ status: 409, body: { code: "RETENTION_NOT_DUE" } });
    expect(await purgeDueCampaigns(j.deps)).not.toContain(c.campaignId);
    expect(await j.deps.storage.exists(c.keys.original)).toBe(true);
    // the school shortens its period to 90 days: now due, and the daily sweep purges it (as the system)
    const set = await j.call("PUT", `/api/staff/schools/${j.schoolId}/retention`, { token: c.admin.token, body: { retentionDays: 90 } });
    expect(set).toMatchObject({ status: 200, body: { retentionDays: 90 } });
    try {
      expect(await purgeDueCampaigns(j.deps)).toContain(c.campaignId);
      expect(await j.deps.storage.exists(c.keys.original)).toBe(false);
      expect(await j.deps.db.auditLog.findFirstOrThrow({ where: { action: "retention.purged", targetId: c.campaignId } })).toMatchObject({ actorType: "SYSTEM" });
    } finally {
      await j.deps.db.school.update({ where: { id: j.schoolId }, data: { retentionDays: 180 } });
    }
  });
});
