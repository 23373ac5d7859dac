import { beforeAll, describe, expect, it } from "vitest";
import { MiniProgramClient } from "@gradphoto/wechat";
import { waitFor } from "@gradphoto/testkit";
import { enqueueReviewNotification, notifyResendJob, requeueOrphaned, resendFailedNotifications, sendReviewNotification } from "../src/jobs/notify.js";
import { startJourney, TEMPLATES, type Journey } from "./journey-harness.js";

let j: Journey;
let campaignId: string;
beforeAll(async () => {
  j = await startJourney();
  campaignId = await j.campaign({ schoolPaid: true });
}, 180_000);

/** A graduate whose submission was just decided (rows written directly: the journey is tested elsewhere). */
async function decided(decision: "APPROVED" | "REJECTED", subscribe: boolean) {
  const { openid } = j.fake.miniProgram.issueLoginCode();
  const user = await j.deps.db.wechatUser.create({ data: { openid } });
  const s = await j.deps.db.submission.create({ data: { campaignId, wechatUserId: user.id, state: decision, consentVersion: 1 } });
  const photo = await j.deps.db.photo.create({ data: { submissionId: s.id, source: "CAMERA", originalKey: "x/original", originalSha256: "0".repeat(64), originalBytes: 1 } });
  await j.deps.db.review.create({ data: { submissionId: s.id, photoId: photo.id, decision, reason: decision === "REJECTED" ? "背景颜色不符合要求，请按拍照说明重新拍摄后上传" : null } });
  const templateId = decision === "APPROVED" ? TEMPLATES.reviewPassed : TEMPLATES.reviewRejected;
  if (subscribe) {
    j.fake.miniProgram.grantSubscription(openid, templateId);
    await j.deps.db.subscriptionGrant.create({ data: { wechatUserId: user.id, templateId } });
  }
  return { submissionId: s.id, openid, templateId };
}

async function settled(notificationId: string) {
  for (let i = 0; i < 240; i++) {
    const n = await j.deps.db.notification.findUniqueOrThrow({ where: { id: notificationId } });
    if (n.status !== "PENDING") return n;
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error("notification still pending");
}

describe("审核结果 订阅消息", () => {
  it("sends 审核未通过 with the reason trimmed to WeChat's 20-character thing limit", async () => {
    const d = await decided("REJECTED", true);
    const n = await settled((await enqueueReviewNotification(j.deps, d.submissionId))!);
    expect(n.status).toBe("SENT");
    const msg = j.fake.miniProgram.sentMessages.find((m) => m.toUser === d.openid)!;
    expect(msg.templateId).toBe(TEMPLATES.reviewRejected);
    // the link names the campaign too: a graduate on a new phone (nothing stored) still lands on their status
    expect(msg.page).toBe(`pages/status/index?campaign=${campaignId}&submission=${d.submissionId}`);
    const reason = msg.data.thing3!;
    expect([...reason].length).toBeLessThanOrEqual(20);
    expect(reason.startsWith("背景颜色不符合要求")).toBe(true);
  });

  it("two runs of one notification at once (a redelivered job beside the first) send one message", async () => {
    const d = await decided("APPROVED", true);
    // a second subscription: WeChat itself would let a second copy through
    j.fake.miniProgram.grantSubscription(d.openid, d.templateId);
    const user = await j.deps.db.wechatUser.findUniqueOrThrow({ where: { openid: d.openid } });
    await j.deps.db.subscriptionGrant.create({ data: { wechatUserId: user.id, templateId: d.templateId } });
    const n = await j.deps.db.notification.create({
      data: { wechatUserId: user.id, submissionId: d.submissionId, kind: "REVIEW_PASSED", templateId: d.templateId, payload: { result: "审核通过", reason: "照片已通过审核", campaign: "测试", at: new Date().toISOString() } },
    });
    await Promise.all([sendReviewNotification(j.deps, { notificationId: n.id }), sendReviewNotification(j.deps, { notificationId: n.id })]);
    expect(j.fake.miniProgram.sentMessages.filter((m) => m.toUser === d.openid)).toHaveLength(1);
    expect(await j.deps.db.notification.findUniqueOrThrow({ where: { id: n.id } })).toMatchObject({ status: "SENT", attempts: 1 });
    expect(await j.deps.db.subscriptionGrant.count({ where: { wechatUserId: user.id, usedAt: null } })).toBe(1);
  });

  it("a decision whose notice could not be queued (the queue down for a moment) stands, and the sweep sends the notice later", async () => {
    const d = await decided("APPROVED", true);
    const jobs = j.deps.jobs!;
    const send = jobs.send.bind(jobs);
    jobs.send = (async () => {
      throw new Error("queue unavailable");
    }) as typeof jobs.send;
    let id: string | null;
    try {
      id = await enqueueReviewNotification(j.deps, d.submissionId);
    } finally {
      jobs.send = send;
    }
    expect(await j.deps.db.notification.findUniqueOrThrow({ where: { id: id! } })).toMatchObject({ status: "PENDING", attempts: 0 });
    expect(await requeueOrphaned(j.deps)).not.toContain(id!); // too young: its job may still be on the way
    await j.deps.db.notification.update({ where: { id: id! }, data: { createdAt: new Date(Date.now() - 6 * 60_000) } });
    expect(await requeueOrphaned(j.deps)).toContain(id!);
    expect((await settled(id!)).status).toBe("SENT");
    expect(j.fake.miniProgram.sentMessages.filter((m) => m.toUser === d.openid)).toHaveLength(1);
  });

  it("retries when WeChat is busy, then sends once", async () => {
    const d = await decided("APPROVED", true);
    j.fake.miniProgram.failNextSends(2, { errcode: -1, errmsg: "system busy" });
    const n = await settled((await enqueueReviewNotification(j.deps, d.submissionId))!);
    expect(n.status).toBe("SENT");
    expect(n.attempts).toBe(3);
    expect(j.fake.miniProgram.sentMessages.filter((m) => m.toUser === d.openid)).toHaveLength(1);
  }, 120_000);

  it("records a refusal as FAILED and a missing subscription as SKIPPED — never dropped silently", async () => {
    const refused = await decided("APPROVED", true);
    j.fake.miniProgram.failNextSends(1, { errcode: 43101, errmsg: "user refuse to accept the msg" });
    const n1 = await settled((await enqueueReviewNotification(j.deps, refused.submissionId))!);
    expect(n1).toMatchObject({ status: "FAILED", lastError: expect.stringMatching(/REFUSED/) });
    const none = await decided("APPROVED", false);
    const n2 = await settled((await enqueueReviewNotification(j.deps, none.submissionId))!);
    expect(n2).toMatchObject({ status: "SKIPPED", lastError: "graduate did not subscribe" });
  });

  it("WeChat down longer than the retry budget: FAILED, listed for staff, and resent automatically once WeChat answers", async () => {
    const d = await decided("APPROVED", true);
    const reachable = j.deps.wechat.mini;
    // nothing listens on port 1: every token fetch and send is refused, as when WeChat is unreachable
    j.deps.wechat.mini = new MiniProgramClient({ ...j.fake.miniProgram.clientOptions(), baseUrl: "http://127.0.0.1:1" });
    let id: string;
    try {
      id = (await enqueueReviewNotification(j.deps, d.submissionId))!;
      const n = await settled(id);
      expect(n).toMatchObject({ status: "FAILED", autoResend: true, attempts: 7, lastError: expect.stringMatching(/^WECHAT_UNAVAILABLE/) });
      const cs = await j.staff("CUSTOMER_SERVICE");
      const list = await j.call("GET", "/api/staff/notifications?status=FAILED&pageSize=200", { token: cs.token });
      expect(list.status).toBe(200);
      expect(list.body.items.find((x: { id: string }) => x.id === id)).toMatchObject({ status: "FAILED", autoResend: true, attempts: 7, submissionId: d.submissionId });
      // the sweep while WeChat is still down: nothing sent, nothing piles up, still waiting to be resent
      await resendFailedNotifications(j.deps);
      expect(await j.deps.db.notification.findUniqueOrThrow({ where: { id } })).toMatchObject({ status: "FAILED", autoResend: true });
    } finally {
      j.deps.wechat.mini = reachable;
    }
    // WeChat answers again: the periodic sweep job sends it
    await j.jobs.send(notifyResendJob, { bucket: `t${Date.now()}` });
    const sent = await waitFor(async () => {
      const r = await j.deps.db.notification.findUniqueOrThrow({ where: { id } });
      return r.status === "SENT" ? r : null;
    }, { timeoutMs: 60_000, what: "the resend" });
    expect(sent).toMatchObject({ autoResend: false, sendStartedAt: null });
    expect(sent.resends).toBeGreaterThanOrEqual(1);
    expect(j.fake.miniProgram.sentMessages.filter((m) => m.toUser === d.openid)).toHaveLength(1);
  }, 120_000);

  it("staff resend a FAILED notification (WeChat refused it once) from the admin; a sent one cannot be resent", async () => {
    const d = await decided("APPROVED", true);
    j.fake.miniProgram.failNextSends(1, { errcode: 43101, errmsg: "user refuse to accept the msg" });
    const id = (await enqueueReviewNotification(j.deps, d.submissionId))!;
    expect(await settled(id)).toMatchObject({ status: "FAILED", autoResend: false });
    const cs = await j.staff("CUSTOMER_SERVICE");
    const r = await j.call("POST", `/api/staff/notifications/${id}/resend`, { token: cs.token });
    expect(r.status).toBe(200);
    const n = await settled(id);
    expect(n.status).toBe("SENT");
    expect(j.fake.miniProgram.sentMessages.filter((m) => m.toUser === d.openid)).toHaveLength(1);
    const again = await j.call("POST", `/api/staff/notifications/${id}/resend`, { token: cs.token });
    expect(again).toMatchObject({ status: 409, body: { code: "NOTIFICATION_NOT_RESENDABLE" } });
    expect(await j.deps.db.auditLog.count({ where: { action: "notification.resend", targetId: id } })).toBe(1);
  });
});
