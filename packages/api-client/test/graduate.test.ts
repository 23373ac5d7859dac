import { beforeAll, describe, expect, it } from "vitest";
import { renderCodePng } from "@gradphoto/capture-code";
import { ApiCore, ApiRequestError, fetchTransport, GraduateApi, GraduateDevApi } from "@gradphoto/api-client";
import { faceBytes, startJourney, TEMPLATES, type Journey } from "../../../apps/api/test/journey-harness.js";
import { pickJourneyPhotos, type JourneyPhotos } from "../../../apps/api/test/journey-data.js";

let j: Journey;
let photos: JourneyPhotos;

beforeAll(async () => {
  j = await startJourney({ devRoutes: true });
  photos = await pickJourneyPhotos();
}, 180_000);

function client(): GraduateApi {
  return new GraduateApi(new ApiCore(fetchTransport(j.url)));
}

const jpeg = (file: string) => ({ name: "photo.jpg", data: new Blob([faceBytes(file)], { type: "image/jpeg" }), contentType: "image/jpeg" });

async function rejection(p: Promise<unknown>): Promise<ApiRequestError> {
  const e = await p.then(
    () => null,
    (x: unknown) => x,
  );
  expect(e).toBeInstanceOf(ApiRequestError);
  return e as ApiRequestError;
}

describe("GraduateApi against the real API", () => {
  it("walks the journey: login → consent → code image → pay → photo → standardise → submit → compare → review → retake", async () => {
    const campaignId = await j.campaign();
    const entry = await j.rosterEntry(campaignId, photos.admission);
    const api = client();

    const campaign = await api.campaign(campaignId);
    expect(campaign).toMatchObject({ id: campaignId, open: true, feeFen: 2000, schoolPaid: false, notifyTemplates: TEMPLATES });
    const consent = await api.consent(campaignId);
    expect(consent.version).toBe(1);

    const { code, openid } = j.fake.miniProgram.issueLoginCode();
    const login = await api.login({ code });
    expect(api.token).toBe(login.token);

    let s = await api.startSubmission(campaignId);
    expect(s.state).toBe("NEW");
    expect((await api.startSubmission(campaignId)).id).toBe(s.id); // resume, not a second one
    s = await api.acceptConsent(s.id, { version: consent.version, clientInfo: { platform: "test" } });
    expect(s.state).toBe("CONSENTED");

    // the saved 采集码 image, as the graduate uploads it from the album
    const png = await renderCodePng(entry.codeText);
    const preview = await api.uploadCaptureCode(s.id, { name: "code.png", data: new Blob([png], { type: "image/png" }), contentType: "image/png" });
    expect(preview.fields.uniqueNumber).toBe(entry.uniqueNumber);
    expect(preview.consistent).toEqual({ name: true, idNumber: true });
    const bound = await api.confirmCaptureCode(s.id, preview.codeToken);
    expect(bound.submission.state).toBe("CODE_BOUND");

    const order = await api.createOrder(s.id);
    expect(order.payment.signType).toBe("RSA");
    expect(order.payment.package).toMatch(/^prepay_id=/);
    expect(order.order.amountFen).toBe(2000);
    await j.fake.pay.payOrder(order.order.outTradeNo);
    const paid = await api.currentOrder(s.id);
    expect(paid.order?.status).toBe("PAID");
    expect(paid.submission.state).toBe("PAID");

    const bad = await api.uploadPhoto(s.id, "CAMERA", jpeg(photos.groupPhoto));
    expect(bad.photo.compliant).toBe(false);
    const reasons = [...bad.photo.checks.filter((c) => !c.passed).map((c) => c.message), bad.photo.error?.message].filter(Boolean);
    expect(reasons.join("")).toMatch(/[\u4e00-\u9fa5]/);

    const good = await api.uploadPhoto(s.id, "ALBUM", jpeg(photos.graduation));
    expect(good.photo.compliant).toBe(true);
    expect(good.submission.state).toBe("PHOTO_CHECKED");
    expect((await api.photo(s.id, good.photo.id)).id).toBe(good.photo.id);

    const std = await api.standardize(s.id, good.photo.id);
    expect(std.photo.standardizedUrl).toBeTruthy();
    expect(std.quota).toMatchObject({ usedToday: 1, remainingToday: 2 });

    j.fake.miniProgram.grantSubscription(openid, TEMPLATES.reviewPassed);
    expect(await api.recordSubscriptions({ accepted: [TEMPLATES.reviewPassed] })).toEqual({ ok: true });
    s = await api.submit(s.id, good.photo.id);
    expect(s.state).toBe("SUBMITTED");

    const adm = await api.admissionPhoto(s.id);
    expect(adm.status).toBe("PRESENT");
    const cmp = await api.confirmAdmissionPhoto(s.id);
    expect(cmp.comparison.passed).toBe(true);
    expect(cmp.submission.state).toBe("REVIEWING");

    const reviewer = await j.staff("REVIEWER");
    await j.call("POST", `/api/staff/reviews/${s.id}`, { token: reviewer.token, body: { decision: "REJECTED", reason: "照片模糊或光线不均" } });
    s = await api.submission(s.id);
    expect(s).toMatchObject({ state: "REJECTED", lastReview: { decision: "REJECTED", reason: "照片模糊或光线不均" }, freeRetakesLeft: 2 });
    s = await api.retake(s.id);
    expect(s).toMatchObject({ state: "PAID", freeRetakesLeft: 1 });
  });

  it("errors carry the API's code, status and Chinese message; bad requests never leave the client", async () => {
    const campaignId = await j.campaign({ schoolPaid: true });
    await j.rosterEntry(campaignId, null);
    const api = client();

    const anonymous = await rejection(api.startSubmission(campaignId));
    expect(anonymous.status).toBe(401);
    expect(anonymous.message).toMatch(/[\u4e00-\u9fa5]/);

    const missing = await rejection(api.campaign("00000000-0000-4000-8000-000000000000"));
    expect(missing).toMatchObject({ status: 404, code: "NOT_FOUND" });

    await api.login({ code: j.fake.miniProgram.issueLoginCode().code });
    const s = await api.startSubmission(campaignId);
    const early = await rejection(api.scanCaptureCode(s.id, "not-a-code"));
    expect(early.code).toBe("CONSENT_REQUIRED");
    await api.acceptConsent(s.id, { version: 1 });
    const unreadable = await rejection(api.scanCaptureCode(s.id, "not-a-code"));
    expect(unreadable.status).toBe(422);
    expect(unreadable.message).toMatch(/[\u4e00-\u9fa5]/);

    // request schemas run before anything is sent
    for (const p of [api.scanCaptureCode(s.id, ""), api.submit(s.id, "not-a-uuid")]) {
      expect(await rejection(p)).toMatchObject({ status: 0, code: "INVALID_REQUEST", message: "提交的信息有误，请检查后重试" });
    }

    // transport failure → NETWORK_ERROR with a Chinese message
    const offline = new GraduateApi(new ApiCore(fetchTransport("http://127.0.0.1:1")));
    const net = await rejection(offline.campaign(campaignId));
    expect(net).toMatchObject({ status: 0, code: "NETWORK_ERROR" });
  });

  it("development helpers (H5 builds): simulated login code, payment and 订阅消息", async () => {
    const campaignId = await j.campaign();
    const entry = await j.rosterEntry(campaignId, photos.admission);
    const core = new ApiCore(fetchTransport(j.url));
    const api = new GraduateApi(core);
    const dev = new GraduateDevApi(core);
    const { code, openid } = await dev.loginCode();
    expect(openid).toBeTruthy();
    await api.login({ code });
    const s = await api.startSubmission(campaignId);
    await api.acceptConsent(s.id, { version: 1 });
    const preview = await api.scanCaptureCode(s.id, entry.codeText);
    await api.confirmCaptureCode(s.id, preview.codeToken);
    const order = await api.createOrder(s.id);
    await dev.pay(order.order.outTradeNo);
    expect((await api.currentOrder(s.id)).submission.state).toBe("PAID");
    expect(j.fake.miniProgram.subscriptionsLeft(openid, TEMPLATES.reviewPassed)).toBe(0);
    await dev.subscribe(openid, TEMPLATES.reviewPassed);
    expect(j.fake.miniProgram.subscriptionsLeft(openid, TEMPLATES.reviewPassed)).toBe(1);
  });
});
