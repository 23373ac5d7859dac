import { z } from "zod";
import { defineJob } from "@gradphoto/jobs";
import { thing, time, type SubscribeSendResult } from "@gradphoto/wechat";
import type { AppDeps } from "../context.js";

/**
 * Sends the 审核通过 / 审核未通过 订阅消息. The Notification row is written first (status PENDING), so
 * a result is never silently dropped: retryable failures throw (pg-boss retries with backoff);
 * permanent ones, and a missing subscription, are recorded as FAILED / SKIPPED.
 *
 * Across a worker crash: each attempt is recorded (`sendStartedAt`) before WeChat is called and cleared
 * when its answer is recorded. A retry that finds an unconfirmed attempt resends only when the graduate
 * has exactly one unused subscription (WeChat then either delivers it, or answers 43101 because the lost
 * attempt used it → MAYBE_SENT); with several it would risk a second copy, so it is MAYBE_SENT for staff.
 * A notification FAILED because WeChat stayed unavailable past the retry budget is marked `autoResend`
 * and sent again by the resend sweep once WeChat answers.
 */
export const notifyReviewJob = defineJob({
  name: "notify.review-result",
  schema: z.object({ notificationId: z.string().uuid() }),
  retryLimit: 6,
  retryDelay: 20,
  retryBackoff: true,
  // a crashed worker's send is retried within seconds (the send itself times out after 10 s)
  expireInSeconds: 15,
});

class RetryableSendError extends Error {}

/** Network failures that happen before a request reaches WeChat. */
const NEVER_REACHED = /ECONNREFUSED|ENOTFOUND|EAI_AGAIN|EHOSTUNREACH|ENETUNREACH/;

export async function enqueueReviewNotification(deps: AppDeps, submissionId: string): Promise<string | null> {
  const s = await deps.db.submission.findUniqueOrThrow({ where: { id: submissionId }, include: { campaign: true, reviews: { orderBy: { createdAt: "desc" }, take: 1 } } });
  const review = s.reviews[0];
  const passed = s.state === "APPROVED";
  const templates = (s.campaign.notifyTemplates ?? {}) as { reviewPassed?: string; reviewRejected?: string };
  const templateId = passed ? templates.reviewPassed : templates.reviewRejected;
  const n = await deps.db.notification.create({
    data: {
      wechatUserId: s.wechatUserId,
      submissionId,
      kind: passed ? "REVIEW_PASSED" : "REVIEW_REJECTED",
      templateId: templateId ?? null,
      payload: {
        result: passed ? "审核通过" : "审核未通过",
        reason: passed ? "照片已通过审核" : (review?.reason ?? "请重新拍摄上传"),
        campaign: s.campaign.name,
        at: (review?.createdAt ?? new Date()).toISOString(),
        freeRetakesLeft: s.freeRetakesLeft,
      },
    },
  });
  // The decision is already committed: a queue that cannot take the job now (a database blip, a full
  // pool) must not turn it into an error for the graduate or the reviewer. The row stays PENDING and
  // the resend sweep queues it again (requeueOrphaned).
  await deps.jobs?.send(notifyReviewJob, { notificationId: n.id }, { singletonKey: n.id }).catch((e: unknown) => {
    console.warn(`notification ${n.id}: could not be queued now, the sweep will (${(e as Error).message})`);
  });
  return n.id;
}

/** A PENDING notification never tried this long after it was written lost its job (see above). */
export const ORPHAN_AFTER_MS = 5 * 60_000;

/** Queues again the notifications whose job was never queued; the singleton key keeps a live job single. */
export async function requeueOrphaned(deps: AppDeps, now = new Date()): Promise<string[]> {
  const orphans = await deps.db.notification.findMany({
    where: { status: "PENDING", attempts: 0, sendStartedAt: null, createdAt: { lt: new Date(now.getTime() - ORPHAN_AFTER_MS) } },
    select: { id: true },
    orderBy: { createdAt: "asc" },
    take: RESEND_BATCH,
  });
  const queued: string[] = [];
  for (const o of orphans) if (await deps.jobs?.send(notifyReviewJob, { notificationId: o.id }, { singletonKey: o.id }).then(() => true, () => false)) queued.push(o.id);
  return queued;
}

export async function sendReviewNotification(deps: AppDeps, { notificationId }: { notificationId: string }, ctx: { attempt: number } = { attempt: 1 }): Promise<void> {
  const { db } = deps;
  const n = await db.notification.findUnique({ where: { id: notificationId }, include: { wechatUser: true, submission: { select: { campaignId: true } } } });
  // SENT, SKIPPED, FAILED and MAYBE_SENT are settled; only a resend puts one back to PENDING.
  if (!n || n.status !== "PENDING") return;
  const mini = deps.wechat.mini;
  const grants = n.templateId ? await db.subscriptionGrant.findMany({ where: { wechatUserId: n.wechatUserId, templateId: n.templateId, usedAt: null }, orderBy: { acceptedAt: "asc" } }) : [];
  const grant = grants[0];
  if (!mini || !n.templateId || !grant) {
    // No subscription (or no WeChat): the result is still shown in the app.
    await db.notification.update({ where: { id: n.id }, data: { status: "SKIPPED", lastError: !n.templateId ? "no template configured" : !grant ? "graduate did not subscribe" : "WeChat not configured" } });
    return;
  }
  // An earlier attempt never recorded WeChat's answer (worker killed mid-send, answer lost): the
  // graduate may already have the message.
  const unconfirmed = n.sendStartedAt !== null;
  if (unconfirmed && grants.length > 1) {
    // Another subscription would let a second copy through: do not risk it, let staff decide.
    await settleMaybeSent(deps, n.id, grant.id, "上次发送未确认结果（进程中断或应答丢失），为免重复未自动重发");
    return;
  }
  const p = n.payload as { result: string; reason: string; campaign: string; at: string };
  // Record the attempt before sending, so a crash between WeChat's acceptance and our bookkeeping is known.
  // It is a claim: of two runs that read the same row (a job redelivered while the first still sends, a
  // staff resend beside the sweep), only the one whose update still finds that row sends.
  const claimed = await db.notification.updateMany({
    where: { id: n.id, status: "PENDING", attempts: n.attempts },
    data: { sendStartedAt: new Date(), attempts: { increment: 1 } },
  });
  if (claimed.count === 0) return;
  let result: SubscribeSendResult;
  try {
    result = await mini.sendSubscribeMessage({
      toUser: n.wechatUser.openid,
      templateId: n.templateId,
      // the campaign too: a graduate on a new phone (nothing stored) lands on their own status page
      page: `pages/status/index?campaign=${n.submission?.campaignId ?? ""}&submission=${n.submissionId ?? ""}`,
      data: { thing1: thing(p.campaign), phrase2: p.result.slice(0, 5), thing3: thing(p.reason), time4: time(new Date(p.at)) },
    });
  } catch (e) {
    result = { ok: false, retryable: true, code: "WECHAT_UNAVAILABLE", message: String((e as Error).message) };
  }
  if (result.ok) {
    await db.$transaction([
      db.notification.update({ where: { id: n.id }, data: { status: "SENT", sentAt: new Date(), sendStartedAt: null, lastError: null, autoResend: false } }),
      db.subscriptionGrant.update({ where: { id: grant.id }, data: { usedAt: new Date() } }),
    ]);
    return;
  }
  if (unconfirmed && result.code === "WECHAT_SUBSCRIBE_REFUSED") {
    // 43101 right after an unconfirmed attempt: that attempt used the one-time subscription.
    await settleMaybeSent(deps, n.id, grant.id, `${result.errcode ?? 43101}: 订阅次数已用完，上次未确认的发送应已送达`);
    return;
  }
  // WeChat's verdict (an errcode or HTTP status), a token failure or a refused connection mean "not sent";
  // a timeout or a connection lost mid-request may have delivered it, so the attempt stays unconfirmed.
  const answered = result.errcode !== undefined || result.httpStatus !== undefined || result.code === "WECHAT_ACCESS_TOKEN_FAILED" || NEVER_REACHED.test(result.detail ?? "");
  const budgetLeft = ctx.attempt <= (notifyReviewJob.retryLimit ?? 0);
  const retry = result.retryable && budgetLeft;
  await db.notification.update({
    where: { id: n.id },
    data: {
      lastError: `${result.code}: ${result.message}`.slice(0, 500),
      ...(answered ? { sendStartedAt: null } : {}),
      status: retry ? "PENDING" : "FAILED",
      // failed only because WeChat stayed unavailable: the resend sweep tries again once it answers
      autoResend: !retry && result.retryable,
    },
  });
  if (retry) throw new RetryableSendError(`subscribe send failed: ${result.code}`);
}

async function settleMaybeSent(deps: AppDeps, notificationId: string, grantId: string, note: string): Promise<void> {
  await deps.db.$transaction([
    deps.db.notification.update({ where: { id: notificationId }, data: { status: "MAYBE_SENT", sendStartedAt: null, autoResend: false, lastError: note.slice(0, 500) } }),
    deps.db.subscriptionGrant.update({ where: { id: grantId }, data: { usedAt: new Date() } }),
  ]);
}

/** Periodic sweep: FAILED notifications (WeChat was down past the retry budget) go out again once WeChat answers. */
export const notifyResendJob = defineJob({
  name: "notify.resend-failed",
  schema: z.object({ bucket: z.string().max(40) }),
  retryLimit: 0,
  expireInSeconds: 30,
});

/** How many FAILED notifications one sweep looks at. */
const RESEND_BATCH = 200;

/**
 * Puts a FAILED (or MAYBE_SENT, by staff) notification back into the queue. The graduate's subscription
 * is checked again when it is sent; a notification that was already delivered cannot be resent.
 */
export async function resendNotification(deps: AppDeps, notificationId: string): Promise<"queued" | "not_resendable"> {
  const n = await deps.db.notification.findUnique({ where: { id: notificationId } });
  if (!n || (n.status !== "FAILED" && n.status !== "MAYBE_SENT")) return "not_resendable";
  const updated = await deps.db.notification.updateMany({
    where: { id: n.id, status: n.status },
    // Resending a MAYBE_SENT one is staff's decision that the unconfirmed attempt did not arrive.
    data: { status: "PENDING", autoResend: false, resends: { increment: 1 }, ...(n.status === "MAYBE_SENT" ? { sendStartedAt: null } : {}) },
  });
  if (updated.count === 0) return "not_resendable";
  await deps.jobs?.send(notifyReviewJob, { notificationId }, { singletonKey: `${notificationId}:resend:${n.resends + 1}` });
  return "queued";
}

/**
 * The resend sweep: probes WeChat with the oldest auto-resendable notification; only when that one is
 * settled by an answer (sent, or refused for a reason of its own) are the rest queued again. While WeChat
 * is still down, nothing piles up. Notifications whose graduate no longer has an unused subscription are
 * left FAILED for staff.
 */
export async function resendFailedNotifications(deps: AppDeps): Promise<{ probed: boolean; queued: number }> {
  await requeueOrphaned(deps);
  const candidates = await deps.db.notification.findMany({
    where: { status: "FAILED", autoResend: true, templateId: { not: null } },
    orderBy: { createdAt: "asc" },
    take: RESEND_BATCH,
  });
  const eligible: string[] = [];
  for (const n of candidates) {
    const grant = await deps.db.subscriptionGrant.findFirst({ where: { wechatUserId: n.wechatUserId, templateId: n.templateId!, usedAt: null } });
    if (grant) eligible.push(n.id);
    else await deps.db.notification.update({ where: { id: n.id }, data: { autoResend: false } });
  }
  if (eligible.length === 0) return { probed: false, queued: 0 };
  const [probe, ...rest] = eligible;
  // only if still FAILED: staff may have resent it meanwhile
  const taken = await deps.db.notification.updateMany({ where: { id: probe!, status: "FAILED" }, data: { status: "PENDING", autoResend: false, resends: { increment: 1 } } });
  if (taken.count === 0) return { probed: false, queued: 0 };
  // The probe runs inline on its last attempt: one try, settled as SENT / FAILED(autoResend) / MAYBE_SENT.
  await sendReviewNotification(deps, { notificationId: probe! }, { attempt: (notifyReviewJob.retryLimit ?? 0) + 1 });
  const after = await deps.db.notification.findUniqueOrThrow({ where: { id: probe! } });
  if (after.status === "FAILED" && after.autoResend) return { probed: true, queued: 0 }; // WeChat still down
  let queued = 0;
  for (const id of rest) if ((await resendNotification(deps, id)) === "queued") queued++;
  return { probed: true, queued };
}
