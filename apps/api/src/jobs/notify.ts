import { z } from "zod";
import { defineJob } from "@gradphoto/jobs";
import { thing, time, type SubscribeSendResult } from "@gradphoto/wechat";
import type { AppDeps } from "../context.js";

/**
 * Sends the 审核通过 / 审核未通过 订阅消息. The Notification row is written first (status PENDING), so
 * a result is never silently dropped: retryable failures throw (pg-boss retries with backoff);
 * permanent ones, and a missing subscription, are recorded as FAILED / SKIPPED.
 */
export const notifyReviewJob = defineJob({
  name: "notify.review-result",
  schema: z.object({ notificationId: z.string().uuid() }),
  retryLimit: 6,
  retryDelay: 20,
  retryBackoff: true,
});

class RetryableSendError extends Error {}

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
  await deps.jobs?.send(notifyReviewJob, { notificationId: n.id }, { singletonKey: n.id });
  return n.id;
}

export async function sendReviewNotification(deps: AppDeps, { notificationId }: { notificationId: string }, ctx: { attempt: number } = { attempt: 1 }): Promise<void> {
  const { db } = deps;
  const n = await db.notification.findUnique({ where: { id: notificationId }, include: { wechatUser: true } });
  if (!n || n.status === "SENT" || n.status === "SKIPPED" || n.status === "FAILED") return; // idempotent
  const mini = deps.wechat.mini;
  const grant = n.templateId ? await db.subscriptionGrant.findFirst({ where: { wechatUserId: n.wechatUserId, templateId: n.templateId, usedAt: null }, orderBy: { acceptedAt: "asc" } }) : null;
  if (!mini || !n.templateId || !grant) {
    // No subscription (or no WeChat): the result is still shown in the app.
    await db.notification.update({ where: { id: n.id }, data: { status: "SKIPPED", lastError: !n.templateId ? "no template configured" : !grant ? "graduate did not subscribe" : "WeChat not configured" } });
    return;
  }
  const p = n.payload as { result: string; reason: string; campaign: string; at: string };
  let result: SubscribeSendResult;
  try {
    result = await mini.sendSubscribeMessage({
      toUser: n.wechatUser.openid,
      templateId: n.templateId,
      page: `pages/status/index?submission=${n.submissionId ?? ""}`,
      data: { thing1: thing(p.campaign), phrase2: p.result.slice(0, 5), thing3: thing(p.reason), time4: time(new Date(p.at)) },
    });
  } catch (e) {
    const last = ctx.attempt > (notifyReviewJob.retryLimit ?? 0);
    await db.notification.update({ where: { id: n.id }, data: { attempts: { increment: 1 }, lastError: String((e as Error).message).slice(0, 500), ...(last ? { status: "FAILED" as const } : {}) } });
    if (last) return;
    throw new RetryableSendError(`subscribe send failed: ${(e as Error).message}`);
  }
  if (result.ok) {
    await db.$transaction([
      db.notification.update({ where: { id: n.id }, data: { status: "SENT", sentAt: new Date(), attempts: { increment: 1 }, lastError: null } }),
      db.subscriptionGrant.update({ where: { id: grant.id }, data: { usedAt: new Date() } }),
    ]);
    return;
  }
  // The last try records the failure for staff instead of leaving it pending.
  const retryable = result.retryable && ctx.attempt <= (notifyReviewJob.retryLimit ?? 0);
  await db.notification.update({
    where: { id: n.id },
    data: { attempts: { increment: 1 }, lastError: `${result.code}: ${result.message}`.slice(0, 500), status: retryable ? "PENDING" : "FAILED" },
  });
  if (retryable) throw new RetryableSendError(`subscribe send failed: ${result.code}`);
}
