import { beforeAll, describe, expect, it } from "vitest";
import { faceBytes, photoForm, startJourney, submitPhoto, toPhotoStep, TEMPLATES, type Journey } from "./journey-harness.js";
import { pickJourneyPhotos, pickQualifyingPhotos, type JourneyPhotos } from "./journey-data.js";
import { waitFor } from "@gradphoto/testkit";

let j: Journey;
let photos: JourneyPhotos;
/** three photos of three people, none the stranger: three different qualifying photos */
let different: Array<string | Buffer>;

beforeAll(async () => {
  j = await startJourney();
  photos = await pickJourneyPhotos();
  different = [photos.graduation, ...(await pickQualifyingPhotos(2)).map((p) => p.bytes)];
}, 240_000);

describe("the graduate's journey over HTTP", () => {
  it("happy path: login → consent → code → pay → photo → standardise → submit → compare → 审核通过 with a 订阅消息", async () => {
    const campaignId = await j.campaign();
    const entry = await j.rosterEntry(campaignId, photos.admission);
    const g = await toPhotoStep(j, campaignId, entry);
    let view = await j.call("GET", `/api/submissions/${g.submissionId}`, { token: g.token });
    expect(view.body).toMatchObject({ state: "PAID", rosterEntry: { uniqueNumber: entry.uniqueNumber, name: entry.name } });
    const payment = await j.deps.db.payment.findMany({ where: { order: { submissionId: g.submissionId } } });
    expect(payment).toHaveLength(1);
    expect(payment[0]!.amountFen).toBe(2000);

    // the graduate accepts the 订阅消息 at the submit tap
    j.fake.miniProgram.grantSubscription(g.openid, TEMPLATES.reviewPassed);
    await j.call("POST", "/api/subscriptions", { token: g.token, body: { accepted: [TEMPLATES.reviewPassed] } });
    const { submission } = await submitPhoto(j, g.token, g.submissionId, photos.graduation);
    expect(submission.state).toBe("SUBMITTED");
    expect(submission.quota.usedToday).toBe(1);

    const adm = await j.call("GET", `/api/submissions/${g.submissionId}/admission-photo`, { token: g.token });
    expect(adm.body.status).toBe("PRESENT");
    expect((await fetch(adm.body.url)).status).toBeLessThan(500);

    const cmp = await j.call("POST", `/api/submissions/${g.submissionId}/admission-photo/confirm`, { token: g.token });
    expect(cmp.status).toBe(200);
    expect(cmp.body.comparison.score).toBeGreaterThanOrEqual(80);
    expect(cmp.body.submission.state).toBe("REVIEWING");
    const stored = await j.deps.db.comparison.findFirstOrThrow({ where: { submissionId: g.submissionId } });
    expect(stored.modelId).toBeTruthy();
    expect(stored.calibrationVersion).toBeTruthy();

    const reviewer = await j.staff("REVIEWER");
    const next = await j.call("POST", "/api/staff/reviews/next", { token: reviewer.token, body: { campaignId } });
    expect(next.body.submission.id).toBe(g.submissionId);
    const decided = await j.call("POST", `/api/staff/reviews/${g.submissionId}`, { token: reviewer.token, body: { decision: "APPROVED" } });
    expect(decided.body.state).toBe("APPROVED");

    const sent = await waitFor(async () => j.fake.miniProgram.sentMessages.find((m) => m.toUser === g.openid));
    expect(sent.templateId).toBe(TEMPLATES.reviewPassed);
    // the fake records the message when the request arrives; the row is updated after WeChat's answer
    const n = await waitFor(async () => j.deps.db.notification.findFirst({ where: { submissionId: g.submissionId, status: { not: "PENDING" } } }));
    expect(n.status).toBe("SENT");
    view = await j.call("GET", `/api/submissions/${g.submissionId}`, { token: g.token });
    expect(view.body).toMatchObject({ state: "APPROVED", stateLabel: "审核通过", lastReview: { decision: "APPROVED" } });
  });

  it("a photo that breaks a rule is reported with reasons and can be retaken", async () => {
    const campaignId = await j.campaign({ schoolPaid: true });
    const entry = await j.rosterEntry(campaignId, photos.admission);
    const g = await toPhotoStep(j, campaignId, entry);
    const bad = await j.call("POST", `/api/submissions/${g.submissionId}/photos?source=CAMERA`, { token: g.token, form: photoForm(faceBytes(photos.groupPhoto)) });
    expect(bad.status).toBe(200);
    expect(bad.body.photo.compliant).toBe(false);
    const reasons = [...bad.body.photo.checks.filter((c: { passed: boolean }) => !c.passed).map((c: { message: string }) => c.message), bad.body.photo.error?.message].filter(Boolean);
    expect(reasons.length).toBeGreaterThan(0);
    expect(reasons.join("")).toMatch(/[\u4e00-\u9fa5]/);
    expect(bad.body.submission.state).toBe("PAID");
    const good = await j.call("POST", `/api/submissions/${g.submissionId}/photos?source=CAMERA`, { token: g.token, form: photoForm(faceBytes(photos.graduation)) });
    expect(good.body.photo.compliant).toBe(true);
    expect(good.body.submission.state).toBe("PHOTO_CHECKED");
  });

  it("standardisation quota: one run per photo whatever the taps; at the limit the next photo gets the exact reopening time", async () => {
    const campaignId = await j.campaign({ schoolPaid: true });
    const entry = await j.rosterEntry(campaignId, photos.admission);
    const g = await toPhotoStep(j, campaignId, entry);
    const upload = async () => (await j.call("POST", `/api/submissions/${g.submissionId}/photos`, { token: g.token, form: photoForm(faceBytes(photos.graduation)) })).body.photo.id as string;
    const standardize = (photoId: string) => j.call("POST", `/api/submissions/${g.submissionId}/photos/${photoId}/standardize`, { token: g.token });
    // 10 parallel taps on one photo: one run; the others wait for it (409) or get its result (200)
    const first = await upload();
    const taps = await Promise.all(Array.from({ length: 10 }, () => standardize(first)));
    expect(taps.filter((r) => r.status !== 200 && !(r.status === 409 && r.body.code === "STANDARDIZE_IN_PROGRESS")).map((r) => `${r.status} ${JSON.stringify(r.body).slice(0, 200)}`)).toEqual([]);
    expect(taps.some((r) => r.status === 200)).toBe(true);
    expect(await j.deps.db.standardisationAttempt.count({ where: { submissionId: g.submissionId } })).toBe(1);
    // two more photos (retakes are free) use the day's other two runs
    for (let i = 0; i < 2; i++) expect((await standardize(await upload())).status).toBe(200);
    const over = await standardize(await upload());
    expect(over.status).toBe(429);
    expect(over.body.code).toBe("STANDARDIZE_QUOTA_EXCEEDED");
    const attempts = await j.deps.db.standardisationAttempt.findMany({ where: { submissionId: g.submissionId }, orderBy: { createdAt: "asc" } });
    expect(attempts).toHaveLength(3);
    const reopens = new Date(attempts[2]!.createdAt.getTime() + 24 * 3600_000).toISOString();
    expect(over.body.details.nextAllowedAt).toBe(reopens);
    const view = await j.call("GET", `/api/submissions/${g.submissionId}`, { token: g.token });
    expect(view.body.quota).toMatchObject({ remainingToday: 0, nextAllowedAt: reopens });
    // retakes before standardising stay unlimited
    const again = await j.call("POST", `/api/submissions/${g.submissionId}/photos`, { token: g.token, form: photoForm(faceBytes(photos.graduation)) });
    expect(again.status).toBe(200);
  });

  it("a standardised photo that misses the campaign's output rules is not a run: reasons shown, quota given back, nothing to submit", async () => {
    // 900–1000 KB cannot be reached by a 480×640 JPEG at any quality (the file is never padded)
    const campaignId = await j.campaign({ schoolPaid: true, photoSpec: { output: { background: "blue", minKb: 900, maxKb: 1000 } } });
    const entry = await j.rosterEntry(campaignId, photos.admission);
    const g = await toPhotoStep(j, campaignId, entry);
    const up = await j.call("POST", `/api/submissions/${g.submissionId}/photos`, { token: g.token, form: photoForm(faceBytes(photos.graduation)) });
    expect(up.body.photo.compliant).toBe(true);
    const r = await j.call("POST", `/api/submissions/${g.submissionId}/photos/${up.body.photo.id}/standardize`, { token: g.token });
    expect(r.status).toBe(200);
    expect(r.body.photo.compliant).toBe(false);
    expect(r.body.photo.standardizedUrl).toBeNull();
    const size = r.body.photo.checks.find((c: { id: string }) => c.id === "output_file_size");
    expect(size).toMatchObject({ passed: false, severity: "error" });
    expect(size.message).toMatch(/[\u4e00-\u9fa5]/);
    expect(r.body.submission.state).toBe("PHOTO_CHECKED");
    expect(r.body.quota.remainingToday).toBe(3);
    expect(await j.deps.db.standardisationAttempt.count({ where: { submissionId: g.submissionId } })).toBe(0);
    const submit = await j.call("POST", `/api/submissions/${g.submissionId}/submit`, { token: g.token, body: { photoId: up.body.photo.id } });
    expect(submit.status).toBe(409);
    expect(submit.body.code).toBe("PHOTO_NOT_STANDARDIZED");
  });

  it("three different qualifying photos fail the comparison, then customer service passes by hand", async () => {
    const campaignId = await j.campaign({ schoolPaid: true });
    const entry = await j.rosterEntry(campaignId, photos.stranger);
    const g = await toPhotoStep(j, campaignId, entry);
    const cs = await j.staff("CUSTOMER_SERVICE");
    for (let i = 1; i <= 3; i++) {
      // one standardisation per attempt: three a day fits exactly
      await submitPhoto(j, g.token, g.submissionId, different[i - 1]!);
      const cmp = await j.call("POST", `/api/submissions/${g.submissionId}/admission-photo/confirm`, { token: g.token });
      expect(cmp.status).toBe(200);
      expect(cmp.body.comparison.passed).toBe(false);
      expect(cmp.body.comparison.score).toBeLessThan(80);
      expect(cmp.body.comparison.qualifyingFailures).toBe(i);
      if (i < 3) {
        expect(cmp.body.submission.state).toBe("COMPARE_BLOCKED");
        expect(cmp.body.comparison.message).toBe("比对未通过，请更换其他照片上传比对");
        const early = await j.call("POST", `/api/staff/submissions/${g.submissionId}/manual-pass`, { token: cs.token, body: { reason: "本人到现场核验身份" } });
        expect(early.body.code).toBe("MANUAL_PASS_NOT_ALLOWED");
      } else {
        expect(cmp.body.submission.state).toBe("NEEDS_MANUAL_PASS");
        expect(cmp.body.comparison.message).toContain("400-123-4567");
      }
    }
    const pass = await j.call("POST", `/api/staff/submissions/${g.submissionId}/manual-pass`, { token: cs.token, body: { reason: "毕业生到校核验身份证件，确认本人" } });
    expect(pass.status).toBe(200);
    expect(pass.body.state).toBe("REVIEWING");
    const o = await j.deps.db.override.findFirstOrThrow({ where: { submissionId: g.submissionId } });
    expect(o).toMatchObject({ staffUserId: cs.id, reason: "毕业生到校核验身份证件，确认本人" });
  });

  it("审核未通过, then two free retakes; after that the campaign's policy applies", async () => {
    const campaignId = await j.campaign();
    const entry = await j.rosterEntry(campaignId, photos.admission);
    const g = await toPhotoStep(j, campaignId, entry);
    const reviewer = await j.staff("REVIEWER");
    const roundTrip = async () => {
      await submitPhoto(j, g.token, g.submissionId, photos.graduation);
      const cmp = await j.call("POST", `/api/submissions/${g.submissionId}/admission-photo/confirm`, { token: g.token });
      expect(cmp.body.submission.state).toBe("REVIEWING");
      const r = await j.call("POST", `/api/staff/reviews/${g.submissionId}`, { token: reviewer.token, body: { decision: "REJECTED", reason: "照片模糊或光线不均" } });
      expect(r.body).toMatchObject({ state: "REJECTED", lastReview: { decision: "REJECTED", reason: "照片模糊或光线不均" } });
    };
    await roundTrip();
    let retake = await j.call("POST", `/api/submissions/${g.submissionId}/retake`, { token: g.token });
    expect(retake.body).toMatchObject({ state: "PAID", freeRetakesLeft: 1 });
    // the daily quota (3) still applies across retakes: move the first run to yesterday
    await j.deps.db.standardisationAttempt.updateMany({ where: { submissionId: g.submissionId }, data: { createdAt: new Date(Date.now() - 2 * 24 * 3600_000) } });
    await roundTrip();
    retake = await j.call("POST", `/api/submissions/${g.submissionId}/retake`, { token: g.token });
    expect(retake.body).toMatchObject({ state: "PAID", freeRetakesLeft: 0 });
    await roundTrip();
    const none = await j.call("POST", `/api/submissions/${g.submissionId}/retake`, { token: g.token });
    expect(none.status).toBe(409);
    expect(none.body.code).toBe("NO_FREE_RETAKES");
    expect(await j.deps.db.order.count({ where: { submissionId: g.submissionId } })).toBe(1); // no new payment
  });

  it("a school-paid campaign skips payment", async () => {
    const campaignId = await j.campaign({ schoolPaid: true });
    const entry = await j.rosterEntry(campaignId, photos.admission);
    const g = await toPhotoStep(j, campaignId, entry);
    const view = await j.call("GET", `/api/submissions/${g.submissionId}`, { token: g.token });
    expect(view.body).toMatchObject({ state: "PAID", paymentExempt: true });
    const order = await j.call("POST", `/api/submissions/${g.submissionId}/orders`, { token: g.token });
    expect(order.status).toBe(409);
    expect(await j.deps.db.order.count({ where: { submissionId: g.submissionId } })).toBe(0);
  });

  it("a refunded order: staff refund, the refund notify is verified, the graduate is back at payment", async () => {
    const campaignId = await j.campaign();
    const entry = await j.rosterEntry(campaignId, photos.admission);
    const g = await toPhotoStep(j, campaignId, entry);
    const order = await j.deps.db.order.findFirstOrThrow({ where: { submissionId: g.submissionId } });
    const admin = await j.staff("SCHOOL_ADMIN");
    const reviewer = await j.staff("REVIEWER");
    expect((await j.call("POST", `/api/staff/orders/${order.id}/refunds`, { token: reviewer.token, body: { reason: "重复缴费" } })).status).toBe(403);
    const tooMuch = await j.call("POST", `/api/staff/orders/${order.id}/refunds`, { token: admin.token, body: { reason: "重复缴费", amountFen: 5000 } });
    expect(tooMuch.body.code).toBe("REFUND_TOO_LARGE");
    const r = await j.call("POST", `/api/staff/orders/${order.id}/refunds`, { token: admin.token, body: { reason: "毕业生申请退款" } });
    expect(r.status).toBe(200);
    const done = await j.fake.pay.completeRefund(r.body.outRefundNo);
    expect(done.delivery?.status).toBe(200);
    expect((await j.deps.db.order.findUniqueOrThrow({ where: { id: order.id } })).status).toBe("REFUNDED");
    const view = await j.call("GET", `/api/submissions/${g.submissionId}`, { token: g.token });
    expect(view.body.state).toBe("CODE_BOUND");
    // the same refund notify again changes nothing
    const again = await j.fake.pay.deliver(done.notify!);
    expect(again.status).toBe(200);
    expect(await j.deps.db.refund.count({ where: { orderId: order.id } })).toBe(1);
  });

  it("the admission photo marked 有误或缺失 stops the flow and flags the entry", async () => {
    const campaignId = await j.campaign({ schoolPaid: true });
    const entry = await j.rosterEntry(campaignId, photos.admission);
    const g = await toPhotoStep(j, campaignId, entry);
    await submitPhoto(j, g.token, g.submissionId, photos.graduation);
    const d = await j.call("POST", `/api/submissions/${g.submissionId}/admission-photo/dispute`, { token: g.token, body: { note: "照片不是我" } });
    expect(d.body.state).toBe("ADMISSION_DISPUTED");
    expect((await j.deps.db.rosterEntry.findUniqueOrThrow({ where: { id: entry.entryId } })).admissionPhotoStatus).toBe("DISPUTED");
    const cmp = await j.call("POST", `/api/submissions/${g.submissionId}/admission-photo/confirm`, { token: g.token });
    expect(cmp.status).toBe(409);
    expect(await j.deps.db.comparison.count({ where: { submissionId: g.submissionId } })).toBe(0);
    // customer service resolves it: the entry now holds the resolution, the log keeps the graduate's words too
    const service = await j.staff("CUSTOMER_SERVICE");
    const resolved = await j.call("POST", `/api/staff/submissions/${g.submissionId}/resolve-dispute`, { token: service.token, body: { note: "学籍部门已核实，录取照片无误" } });
    expect(resolved.status, JSON.stringify(resolved.body)).toBe(200);
    expect((await j.deps.db.rosterEntry.findUniqueOrThrow({ where: { id: entry.entryId } })).disputeNote).toBe("学籍部门已核实，录取照片无误");
    const logged = await j.deps.db.auditLog.findFirstOrThrow({ where: { action: "roster.dispute_resolved", targetId: entry.entryId } });
    expect(logged).toMatchObject({ actorType: "STAFF", actorId: service.id, before: { admissionPhotoStatus: "DISPUTED", disputeNote: "照片不是我" }, after: { admissionPhotoStatus: "PRESENT", note: "学籍部门已核实，录取照片无误" } });
  });
});
