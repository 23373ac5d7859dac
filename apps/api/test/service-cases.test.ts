import { beforeAll, describe, expect, it } from "vitest";
import { waitFor } from "@gradphoto/testkit";
import { submitPhoto, toPhotoStep, startJourney, type Journey } from "./journey-harness.js";
import { pickJourneyPhotos, type JourneyPhotos } from "./journey-data.js";

/**
 * Customer service's work list, the numbers every staff page shows for a campaign, and the audit
 * log's names — over HTTP against the real API, database, job queue, models and the fake WeChat Pay.
 */
let j: Journey;
let photos: JourneyPhotos;
let campaignId: string;
let service: { token: string; id: string };
let admin: { token: string; id: string };
let reviewer: { token: string; id: string };
const g: Record<"disputed" | "manual" | "approved" | "refunded", { entry: Awaited<ReturnType<Journey["rosterEntry"]>>; submissionId: string; token: string; outTradeNo?: string }> = {} as never;

beforeAll(async () => {
  [j, photos] = await Promise.all([startJourney(), pickJourneyPhotos()]);
  campaignId = await j.campaign();
  [service, admin, reviewer] = await Promise.all([j.staff("CUSTOMER_SERVICE"), j.staff("SCHOOL_ADMIN"), j.staff("REVIEWER")]);
  for (const k of ["disputed", "manual", "approved", "refunded"] as const) {
    const entry = await j.rosterEntry(campaignId, photos.admission);
    const p = await toPhotoStep(j, campaignId, entry);
    g[k] = { entry, submissionId: p.submissionId, token: p.token, outTradeNo: p.outTradeNo };
  }
  // disputed: submits, then says the admission photo is not them
  await submitPhoto(j, g.disputed.token, g.disputed.submissionId, photos.graduation);
  const d = await j.call("POST", `/api/submissions/${g.disputed.submissionId}/admission-photo/dispute`, { token: g.disputed.token, body: { note: "录取照片不是我本人" } });
  expect(d.body.state).toBe("ADMISSION_DISPUTED");
  // approved: submits, the comparison passes, a reviewer approves
  await submitPhoto(j, g.approved.token, g.approved.submissionId, photos.graduation);
  const c = await j.call("POST", `/api/submissions/${g.approved.submissionId}/admission-photo/confirm`, { token: g.approved.token });
  expect(c.body.submission?.state ?? c.body.state).toBe("REVIEWING");
  // manual: three different failing photos are the journey tests' business; here only the list matters
  await j.deps.db.submission.update({ where: { id: g.manual.submissionId }, data: { state: "NEEDS_MANUAL_PASS", qualifyingFailures: 3 } });
}, 240_000);

const worklist = async (token = service.token) => (await j.call("GET", `/api/staff/service/worklist?campaignId=${campaignId}`, { token })).body;
const listCounts = async () => ((await j.call("GET", "/api/staff/campaigns", { token: admin.token })).body.items as Array<{ id: string; counts: { roster: number; submissions: number; reviewing: number; approved: number } }>).find((c) => c.id === campaignId)!.counts;
const dashboard = async () => (await j.call("GET", `/api/staff/campaigns/${campaignId}/dashboard`, { token: admin.token })).body;
const funnel = (d: { funnel: Array<{ step: string; count: number }> }, step: string) => d.funnel.find((f) => f.step === step)!.count;

describe("customer-service work list", () => {
  it("lists graduates waiting for a manual pass and admission-photo disputes, with counts; another school sees nothing", async () => {
    const w = await worklist();
    expect(w.counts).toEqual({ manualPass: 1, disputed: 1, refunds: 0 });
    expect(w.manualPass[0]).toMatchObject({ submissionId: g.manual.submissionId, name: g.manual.entry.name, uniqueNumber: g.manual.entry.uniqueNumber, state: "NEEDS_MANUAL_PASS", detail: "合格照片比对 3 次未通过" });
    expect(w.disputed[0]).toMatchObject({ submissionId: g.disputed.submissionId, uniqueNumber: g.disputed.entry.uniqueNumber, detail: "录取照片不是我本人" });
    const other = await j.staff("CUSTOMER_SERVICE", (await j.deps.db.school.create({ data: { code: `W${Date.now() % 1000000}`, name: "另一所大学" } })).id);
    expect((await j.call("GET", "/api/staff/service/worklist", { token: other.token })).body.counts).toEqual({ manualPass: 0, disputed: 0, refunds: 0 });
    expect((await j.call("GET", "/api/staff/service/worklist", { token: reviewer.token })).status).toBe(403);
  });

  it("a manual pass leaves the list at once, and the audit log names the graduate and the staff account", async () => {
    const r = await j.call("POST", `/api/staff/submissions/${g.manual.submissionId}/manual-pass`, { token: service.token, body: { reason: "毕业生到校出示身份证，经核对为本人" } });
    expect(r.status).toBe(200);
    expect((await worklist()).counts.manualPass).toBe(0);
    const log = await j.call("GET", `/api/staff/audit-logs?action=submission.manual_pass&targetId=${g.manual.submissionId}`, { token: admin.token });
    const staff = await j.deps.db.staffUser.findUniqueOrThrow({ where: { id: service.id } });
    expect(log.body.items[0]).toMatchObject({ actorName: `${staff.displayName}（${staff.username}）`, targetName: `${g.manual.entry.name}（${g.manual.entry.uniqueNumber}）` });
    const grad = await j.call("GET", `/api/staff/audit-logs?actorType=GRADUATE&targetId=${g.disputed.submissionId}`, { token: admin.token });
    expect(grad.body.items.length).toBeGreaterThan(0);
    for (const e of grad.body.items) expect(e.actorName).toBe(`毕业生 ${g.disputed.entry.name}（${g.disputed.entry.uniqueNumber}）`);
  });
});

describe("numbers agree on every staff page", () => {
  it("campaign list, dashboard totals and funnel come from the same counts and follow a review at once", async () => {
    const before = await listCounts();
    const d0 = await dashboard();
    expect(d0.totals).toMatchObject({ submissions: before.submissions, reviewing: before.reviewing, approved: before.approved });
    // g.approved after its comparison, g.manual after the manual pass (this campaign reviews by hand)
    expect(before.reviewing).toBe(2);
    const claimed = await j.call("POST", "/api/staff/reviews/next", { token: reviewer.token, body: { campaignId } });
    expect((await j.call("POST", `/api/staff/reviews/${claimed.body.submission.id}`, { token: reviewer.token, body: { decision: "APPROVED" } })).status).toBe(200);
    // the very next read shows it: no cache between the change and the pages
    const after = await listCounts();
    const d1 = await dashboard();
    expect(after.approved).toBe(before.approved + 1);
    expect(after.reviewing).toBe(before.reviewing - 1);
    expect(d1.totals).toMatchObject({ submissions: after.submissions, reviewing: after.reviewing, approved: after.approved });
    expect(funnel(d1, "APPROVED")).toBe(after.approved);
  });

  it("a refund in progress is on the work list; a completed full refund leaves it and leaves 完成支付", async () => {
    const paidBefore = funnel(await dashboard(), "PAID");
    expect(paidBefore).toBe(4);
    const order = await j.deps.db.order.findUniqueOrThrow({ where: { outTradeNo: g.refunded.outTradeNo! } });
    const rf = await j.call("POST", `/api/staff/orders/${order.id}/refunds`, { token: admin.token, body: { reason: "毕业生已在现场补拍，申请退款" } });
    expect(rf.status).toBe(200);
    const w = await worklist();
    expect(w.counts.refunds).toBe(1);
    expect(w.refunds[0]).toMatchObject({ submissionId: g.refunded.submissionId, uniqueNumber: g.refunded.entry.uniqueNumber, outTradeNo: order.outTradeNo, amountFen: 2000, status: "PROCESSING", reason: "毕业生已在现场补拍，申请退款" });
    expect(funnel(await dashboard(), "PAID")).toBe(4); // the money has not gone back yet
    const refund = await j.deps.db.refund.findFirstOrThrow({ where: { orderId: order.id } });
    // WeChat completes the refund on its own schedule (in development the fake does it by itself)
    await waitFor(async () => {
      if ((await j.deps.db.refund.findUniqueOrThrow({ where: { id: refund.id } })).status === "SUCCESS") return true;
      await j.fake.pay.completeRefund(refund.outRefundNo).catch(() => undefined);
      return false;
    });
    await waitFor(async () => (await j.deps.db.order.findUniqueOrThrow({ where: { id: order.id } })).status === "REFUNDED");
    expect((await worklist()).counts.refunds).toBe(0);
    const d = await dashboard();
    expect(funnel(d, "PAID")).toBe(3);
    expect(d.totals.submissions).toBe((await listCounts()).submissions);
  });
});
