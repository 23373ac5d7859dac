import sharp from "sharp";
import { beforeAll, describe, expect, inject, it } from "vitest";
import type { Db } from "@gradphoto/db";
import { OUTPUT_CHECK_IDS, countChecks, formatScore } from "@gradphoto/contracts";
import { check, standardize } from "@gradphoto/photo";
import { waitFor } from "@gradphoto/testkit";
import { faceBytes, jpegVariant, photoForm, startJourney, submitPhoto, TEMPLATES, toPhotoStep, type Journey } from "./journey-harness.js";
import { submissionView } from "../src/services/submission-view.js";
import { pickJourneyPhotos, pickQualifyingPhotos, type JourneyPhotos } from "./journey-data.js";

let j: Journey;
let photos: JourneyPhotos;
let others: Buffer[];
const REFUND_DELAY_MS = 1500;

beforeAll(async () => {
  // refunds complete by themselves after a delay, as the fake does under `npm start`
  j = await startJourney({ fakeWechat: { pay: { autoCompleteRefundsAfterMs: REFUND_DELAY_MS } } });
  photos = await pickJourneyPhotos();
  others = (await pickQualifyingPhotos(2)).map((p) => p.bytes);
}, 240_000);

const compare = (g: { token: string; submissionId: string }) => j.call("POST", `/api/submissions/${g.submissionId}/admission-photo/confirm`, { token: g.token });

describe("three different photos, then the manual pass as graduate and reviewer see it", () => {
  it("the same photo again, or a re-encoded copy, does not count; three different ones open the manual pass", async () => {
    const campaignId = await j.campaign({ schoolPaid: true });
    const entry = await j.rosterEntry(campaignId, photos.stranger);
    const g = await toPhotoStep(j, campaignId, entry);

    await submitPhoto(j, g.token, g.submissionId, photos.graduation);
    let cmp = await compare(g);
    expect(cmp.body.comparison).toMatchObject({ passed: false, qualifying: true, qualifyingFailures: 1, repeatOf: null });

    // the identical file
    await submitPhoto(j, g.token, g.submissionId, photos.graduation);
    cmp = await compare(g);
    expect(cmp.body.comparison).toMatchObject({ passed: false, qualifying: false, qualifyingFailures: 1, repeatOf: "SAME_FILE" });
    expect(cmp.body.comparison.message).toContain("不计入");
    expect(cmp.body.submission.state).toBe("COMPARE_BLOCKED");

    // the same picture, re-encoded and smaller (another file)
    const copy = await sharp(faceBytes(photos.graduation)).resize({ width: 600 }).jpeg({ quality: 70 }).toBuffer();
    await submitPhoto(j, g.token, g.submissionId, copy);
    cmp = await compare(g);
    expect(cmp.body.comparison.qualifying).toBe(false);
    expect(["SAME_PICTURE", "SAME_CAPTURE"]).toContain(cmp.body.comparison.repeatOf);
    expect(cmp.body.comparison.message).toMatch(/之前比对未通过的照片/);
    expect(cmp.body.comparison.qualifyingFailures).toBe(1);

    // three standardisations a day: move today's runs to yesterday
    await j.deps.db.standardisationAttempt.updateMany({ where: { submissionId: g.submissionId }, data: { createdAt: new Date(Date.now() - 2 * 24 * 3600_000) } });
    for (const [i, bytes] of others.entries()) {
      await submitPhoto(j, g.token, g.submissionId, bytes);
      cmp = await compare(g);
      expect(cmp.body.comparison).toMatchObject({ passed: false, qualifying: true, qualifyingFailures: i + 2, repeatOf: null });
    }
    expect(cmp.body.submission.state).toBe("NEEDS_MANUAL_PASS");
    const stored = await j.deps.db.comparison.findMany({ where: { submissionId: g.submissionId } });
    expect(stored.map((c) => c.qualifying).filter(Boolean)).toHaveLength(3);

    // customer service passes; the graduate's view says so instead of a failing score
    const cs = await j.staff("CUSTOMER_SERVICE");
    const reason = "毕业生到校出示身份证，经核对为本人";
    const pass = await j.call("POST", `/api/staff/submissions/${g.submissionId}/manual-pass`, { token: cs.token, body: { reason } });
    expect(pass.status).toBe(200);
    const view = await j.call("GET", `/api/submissions/${g.submissionId}`, { token: g.token });
    expect(view.body).toMatchObject({ state: "REVIEWING", manualPass: { reason } });
    expect(view.body.lastComparison.passed).toBe(false);

    // the reviewer sees the manual pass, who did it, why, and the three photos
    const reviewer = await j.staff("REVIEWER");
    const item = await j.call("POST", "/api/staff/reviews/next", { token: reviewer.token, body: { campaignId } });
    expect(item.body.submission.id).toBe(g.submissionId);
    expect(item.body.manualPass).toMatchObject({ reason, staff: expect.stringContaining("CUSTOMER_SERVICE") });
    expect(item.body.manualPass.photos).toHaveLength(3);
    for (const p of item.body.manualPass.photos) {
      expect(p.score).toBeLessThan(80);
      expect((await fetch(p.url)).headers.get("content-type")).toMatch(/image\/jpeg/);
    }
  }, 240_000);

  it("a submission without a manual pass has none in its review item", async () => {
    const campaignId = await j.campaign({ schoolPaid: true });
    const entry = await j.rosterEntry(campaignId, photos.admission);
    const g = await toPhotoStep(j, campaignId, entry);
    await submitPhoto(j, g.token, g.submissionId, photos.graduation);
    expect((await compare(g)).body.submission.state).toBe("REVIEWING");
    const reviewer = await j.staff("REVIEWER");
    const item = await j.call("POST", "/api/staff/reviews/next", { token: reviewer.token, body: { campaignId } });
    expect(item.body.manualPass).toBeNull();
    const view = await j.call("GET", `/api/submissions/${g.submissionId}`, { token: g.token });
    expect(view.body.manualPass).toBeNull();
    // the graduate refused the 订阅消息: no promise of a WeChat notice
    expect(view.body.reviewNotice).toBe(false);
  }, 120_000);

  it("reviewNotice follows the graduate's 订阅消息 grant and ends when the notice is used", async () => {
    const campaignId = await j.campaign({ schoolPaid: true });
    const entry = await j.rosterEntry(campaignId, photos.admission);
    const g = await toPhotoStep(j, campaignId, entry);
    expect((await j.call("GET", `/api/submissions/${g.submissionId}`, { token: g.token })).body.reviewNotice).toBe(false);
    await j.call("POST", "/api/subscriptions", { token: g.token, body: { accepted: [TEMPLATES.reviewPassed] } });
    expect((await j.call("GET", `/api/submissions/${g.submissionId}`, { token: g.token })).body.reviewNotice).toBe(true);
    const user = await j.deps.db.submission.findUniqueOrThrow({ where: { id: g.submissionId } });
    await j.deps.db.subscriptionGrant.updateMany({ where: { wechatUserId: user.wechatUserId }, data: { usedAt: new Date() } });
    expect((await j.call("GET", `/api/submissions/${g.submissionId}`, { token: g.token })).body.reviewNotice).toBe(false);
  });
});

describe("refunds as the graduate sees them", () => {
  async function paidGraduate(repayAfterRefund: boolean) {
    const campaignId = await j.campaign({ repayAfterRefund });
    const entry = await j.rosterEntry(campaignId, photos.admission);
    const g = await toPhotoStep(j, campaignId, entry);
    const order = await j.deps.db.order.findFirstOrThrow({ where: { submissionId: g.submissionId } });
    return { g, order };
  }

  it("退款中 with amount and reason, then the fake WeChat completes it by itself: 已退款, and no second payment", async () => {
    const { g, order } = await paidGraduate(false);
    let view = await j.call("GET", `/api/submissions/${g.submissionId}`, { token: g.token });
    expect(view.body.payment).toMatchObject({ status: "PAID", amountFen: 2000, refund: null });
    const admin = await j.staff("SCHOOL_ADMIN");
    const r = await j.call("POST", `/api/staff/orders/${order.id}/refunds`, { token: admin.token, body: { reason: "毕业生已在现场补拍" } });
    expect(r.status).toBe(200);
    expect(r.body.status).toBe("PROCESSING");
    view = await j.call("GET", `/api/submissions/${g.submissionId}`, { token: g.token });
    expect(view.body.payment).toMatchObject({ status: "REFUNDING", refund: { status: "PROCESSING", amountFen: 2000, reason: "毕业生已在现场补拍", refundedAt: null } });

    // no one posts to the fake: its own timer sends the signed, encrypted REFUND.SUCCESS notify
    const done = await waitFor(async () => {
      const v = await j.call("GET", `/api/submissions/${g.submissionId}`, { token: g.token });
      return v.body.payment?.status === "REFUNDED" ? v.body : null;
    }, { timeoutMs: 20_000 });
    expect(done.payment.refund).toMatchObject({ status: "SUCCESS", amountFen: 2000 });
    expect(done.payment.refund.refundedAt).toBeTruthy();
    expect(done.state).toBe("CODE_BOUND");
    expect(done.canPay).toBe(false);
    const delivered = j.fake.pay.deliveries.find((d) => (JSON.parse(d.notify.rawBody) as { event_type: string }).event_type === "REFUND.SUCCESS");
    expect(delivered?.status).toBe(200);

    const again = await j.call("POST", `/api/submissions/${g.submissionId}/orders`, { token: g.token });
    expect(again.status).toBe(409);
    expect(again.body.code).toBe("REFUNDED_NO_REPAY");
    expect(again.body.message).toMatch(/已退款/);
    expect(await j.deps.db.order.count({ where: { submissionId: g.submissionId } })).toBe(1);
  }, 120_000);

  it("a school that allows paying again after a refund lets the graduate pay again", async () => {
    const { g, order } = await paidGraduate(true);
    const admin = await j.staff("SCHOOL_ADMIN");
    await j.call("POST", `/api/staff/orders/${order.id}/refunds`, { token: admin.token, body: { reason: "重复缴费" } });
    const done = await waitFor(async () => {
      const v = await j.call("GET", `/api/submissions/${g.submissionId}`, { token: g.token });
      return v.body.payment?.status === "REFUNDED" ? v.body : null;
    }, { timeoutMs: 20_000 });
    expect(done.canPay).toBe(true);
    const again = await j.call("POST", `/api/submissions/${g.submissionId}/orders`, { token: g.token });
    expect(again.status).toBe(200);
  }, 120_000);

  // PGlite runs one transaction at a time, so this interleaving exists only on a PostgreSQL server
  it.skipIf(inject("databaseKind") === "pglite")("the view is one snapshot: a refund committed between its queries never shows beside the state before it", async () => {
    const { g, order } = await paidGraduate(true);
    const db = j.deps.db;
    const before = await submissionView(db, g.submissionId);
    expect(before).toMatchObject({ payment: { status: "PAID" }, canPay: false });
    // A transaction makes what a full refund makes (order REFUNDED, state back to CODE_BOUND) and
    // holds the orders table locked: the view reads the submission, then waits at the orders table
    // until the refund commits. Each of its queries must still see the moment it started.
    let commit!: () => void;
    const gate = new Promise<void>((resolve) => (commit = resolve));
    const refund = db.$transaction(async (tx) => {
      await tx.$executeRawUnsafe(`LOCK TABLE "orders" IN ACCESS EXCLUSIVE MODE`);
      await tx.order.update({ where: { id: order.id }, data: { status: "REFUNDED" } });
      await tx.submission.update({ where: { id: g.submissionId }, data: { state: "CODE_BOUND" } });
      await gate;
    }, { timeout: 30_000 });
    const reading = submissionView(db, g.submissionId);
    // the view is waiting at the orders table
    await waitFor(async () => {
      const [row] = await db.$queryRaw<Array<{ n: number }>>`SELECT count(*)::int AS n FROM pg_locks WHERE NOT granted AND relation = '"orders"'::regclass`;
      return (row?.n ?? 0) > 0 ? true : null;
    }, { timeoutMs: 10_000 });
    commit();
    await refund;
    const during = await reading;
    expect({ state: during.state, payment: during.payment?.status, canPay: during.canPay }).toEqual({ state: before.state, payment: "PAID", canPay: false });
    const after = await submissionView(db, g.submissionId);
    expect({ state: after.state, payment: after.payment?.status, canPay: after.canPay }).toEqual({ state: "CODE_BOUND", payment: "REFUNDED", canPay: true });
  }, 120_000);
});

describe("standardising one photo: lost answers, runs under way, retakes mid-run", () => {
  /** A graduate at the photo step (school-paid) with an upload helper and the standardise call. */
  async function atPhotoStep() {
    const campaignId = await j.campaign({ schoolPaid: true });
    const g = await toPhotoStep(j, campaignId, await j.rosterEntry(campaignId, photos.admission));
    // `take`: a later shot of the same pose, a different file
    const upload = async (take = 0) => {
      const bytes = take ? jpegVariant(faceBytes(photos.graduation), take) : faceBytes(photos.graduation);
      const up = await j.call("POST", `/api/submissions/${g.submissionId}/photos?source=CAMERA`, { token: g.token, form: photoForm(bytes) });
      expect(up.body.photo.compliant).toBe(true);
      return up.body.photo.id as string;
    };
    const standardize = (photoId: string) => j.call("POST", `/api/submissions/${g.submissionId}/photos/${photoId}/standardize`, { token: g.token });
    const attempts = () => j.deps.db.standardisationAttempt.count({ where: { submissionId: g.submissionId } });
    return { g, upload, standardize, attempts };
  }

  it("again after an answer lost on the way: the same photo and output, and none of the day's three taken again", async () => {
    const { upload, standardize, attempts } = await atPhotoStep();
    const photoId = await upload();
    const first = await standardize(photoId);
    expect(first.status).toBe(200);
    expect(first.body.quota.usedToday).toBe(1);
    // the phone never got that answer and taps again
    const again = await standardize(photoId);
    expect(again.status).toBe(200);
    expect(again.body).toMatchObject({ quota: { usedToday: 1, remainingToday: first.body.quota.remainingToday }, output: first.body.output, submission: { state: "STANDARDIZED" } });
    expect(again.body.photo.standardizedUrl).toBeTruthy();
    expect(await attempts()).toBe(1);
  }, 120_000);

  it("a tap during the run is told to wait; a run with no result after two minutes is not held against the graduate", async () => {
    const { g, upload, standardize, attempts } = await atPhotoStep();
    const photoId = await upload();
    const day = new Date(`${new Date().toISOString().slice(0, 10)}T00:00:00Z`);
    // a run under way (its attempt row, no result yet)
    const running = await j.deps.db.standardisationAttempt.create({ data: { submissionId: g.submissionId, photoId, day, createdAt: new Date() } });
    const wait = await standardize(photoId);
    expect(wait.status).toBe(409);
    expect(wait.body).toMatchObject({ code: "STANDARDIZE_IN_PROGRESS", message: expect.stringContaining("请稍候") });
    // the same row three minutes old: its process died; the tap runs, in its place
    await j.deps.db.standardisationAttempt.update({ where: { id: running.id }, data: { createdAt: new Date(Date.now() - 3 * 60_000) } });
    const ran = await standardize(photoId);
    expect(ran.status).toBe(200);
    expect(ran.body.quota.usedToday).toBe(1);
    expect(await attempts()).toBe(1);
  }, 120_000);

  it("a retake uploaded while the previous photo is being standardised: that run does not mark the submission standardised, and takes no slot", async () => {
    const { g, upload, standardize } = await atPhotoStep();
    const first = await upload();
    // the retake lands while the first photo's standard JPEG is being stored
    const put = j.deps.storage.put.bind(j.deps.storage);
    let retake: string | null = null;
    j.deps.storage.put = async (key, ...rest) => {
      if (!retake && key.includes(first) && key.endsWith("/standard.jpg")) retake = await upload(1);
      return put(key, ...rest);
    };
    let st;
    try {
      st = await standardize(first);
    } finally {
      j.deps.storage.put = put;
    }
    expect(retake).not.toBeNull();
    expect(st.status).toBe(409);
    expect(st.body.code).toBe("NOT_CURRENT_PHOTO");
    const view = await j.call("GET", `/api/submissions/${g.submissionId}`, { token: g.token });
    expect(view.body).toMatchObject({ state: "PHOTO_CHECKED", currentPhotoId: retake, quota: { usedToday: 0 } });
    // the retake standardises normally
    expect((await standardize(retake!)).status).toBe(200);
  }, 120_000);
});

describe("the free photo check before paying", () => {
  it("checks quality only, keeps nothing, and stops after the daily limit", async () => {
    const campaignId = await j.campaign();
    const entry = await j.rosterEntry(campaignId, photos.admission);
    const g = await toPhotoStep(j, campaignId, entry, { pay: false });
    expect((await j.call("GET", `/api/submissions/${g.submissionId}`, { token: g.token })).body).toMatchObject({ state: "CODE_BOUND", canPay: true });
    // record every object the API writes while it checks
    const written: string[] = [];
    const put = j.deps.storage.put.bind(j.deps.storage);
    j.deps.storage.put = async (key, ...rest) => {
      written.push(key);
      return put(key, ...rest);
    };

    const good = await j.call("POST", `/api/submissions/${g.submissionId}/photo-precheck?source=CAMERA`, { token: g.token, form: photoForm(faceBytes(photos.graduation)) });
    expect(good.status).toBe(200);
    expect(good.body).toMatchObject({ compliant: true, usedToday: 1, remainingToday: 4, limitPerDay: 5, error: null });
    // the same checks as after paying: the report of check() on the same bytes
    const direct = await check(faceBytes(photos.graduation), {}, { origin: "camera" });
    expect(good.body.checks.map((c: { id: string }) => c.id)).toEqual(direct.checks.map((c) => c.id));

    const bad = await j.call("POST", `/api/submissions/${g.submissionId}/photo-precheck?source=CAMERA`, { token: g.token, form: photoForm(faceBytes(photos.groupPhoto)) });
    expect(bad.body.compliant).toBe(false);
    const reasons = [...bad.body.checks.filter((c: { passed: boolean }) => !c.passed).map((c: { message: string }) => c.message), bad.body.error?.message].filter(Boolean).join("");
    expect(reasons).toMatch(/[\u4e00-\u9fa5]/);

    // nothing kept: no photo rows, no objects, the state unchanged
    expect(await j.deps.db.photo.count({ where: { submissionId: g.submissionId } })).toBe(0);
    expect(written.filter((k) => k.includes(g.submissionId))).toEqual([]);
    expect((await j.call("GET", `/api/submissions/${g.submissionId}`, { token: g.token })).body.state).toBe("CODE_BOUND");

    // 5 a day (parallel taps included), then a clear refusal
    const rest = await Promise.all(Array.from({ length: 4 }, () => j.call("POST", `/api/submissions/${g.submissionId}/photo-precheck`, { token: g.token, form: photoForm(faceBytes(photos.graduation)) })));
    expect(rest.map((r) => r.status).sort()).toEqual([200, 200, 200, 429]);
    const limited = rest.find((r) => r.status === 429)!;
    expect(limited.body.code).toBe("PRECHECK_LIMIT_REACHED");
    expect(limited.body.message).toMatch(/免费检测/);
    expect(await j.deps.db.auditLog.count({ where: { action: "photo.precheck", targetId: g.submissionId } })).toBe(5);

    // someone else's submission is not reachable
    const other = await j.graduate();
    const foreign = await j.call("POST", `/api/submissions/${g.submissionId}/photo-precheck`, { token: other.token, form: photoForm(faceBytes(photos.graduation)) });
    expect(foreign.status).toBe(404);
    expect(written.filter((k) => k.includes(g.submissionId))).toEqual([]);
    j.deps.storage.put = put;
  }, 180_000);

  it("a request without a photo is a clear 400", async () => {
    const campaignId = await j.campaign();
    const entry = await j.rosterEntry(campaignId, photos.admission);
    const g = await toPhotoStep(j, campaignId, entry, { pay: false });
    const r = await j.call("POST", `/api/submissions/${g.submissionId}/photo-precheck`, { token: g.token, body: {} });
    expect(r.status).toBe(400);
    expect(r.body.code).toBe("VALIDATION_FAILED");
  });
});

describe("display rules shared by every screen", () => {
  it("a score is cut, never rounded up across the pass line", () => {
    expect(formatScore(79.5)).toBe("79.5");
    expect(formatScore(79.99)).toBe("79.9");
    expect(formatScore(79.96)).toBe("79.9");
    expect(formatScore(80)).toBe("80.0");
    expect(formatScore(43.33)).toBe("43.3");
    expect(formatScore(null)).toBe("--");
  });

  it("the standard-photo checks are exactly what standardize() adds to check(), so graduate and reviewer count alike", async () => {
    const bytes = faceBytes(photos.graduation);
    const [c, s] = await Promise.all([check(bytes, {}, { origin: "camera" }), standardize(bytes)]);
    const added = s.report.checks.map((x) => x.id).filter((id) => !c.checks.some((y) => y.id === id));
    expect(added.sort()).toEqual([...OUTPUT_CHECK_IDS].sort());
    const counts = countChecks(s.report.checks);
    expect(counts.photo.total).toBe(c.checks.length);
    expect(counts.output.total).toBe(OUTPUT_CHECK_IDS.length);
  }, 120_000);
});
