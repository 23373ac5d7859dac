import type { FastifyPluginAsyncZod } from "fastify-type-provider-zod";
import { z } from "zod";
import { ApiErrorSchema, OkSchema, RefundRequestSchema, RefundViewSchema, ReviewDecisionSchema, ReviewItemSchema, SubmissionViewSchema } from "@gradphoto/contracts";
import { isWechatError } from "@gradphoto/wechat";
import { AppError, notFound } from "../lib/errors.js";
import { audit } from "../lib/audit.js";
import { assertSchoolScope, staffOf } from "../plugins/auth.js";
import { applyEvent } from "../services/transitions.js";
import { submissionView } from "../services/submission-view.js";
import { referralNote } from "../services/compare-service.js";
import { lockOrder, newOutTradeNo, recordRefund } from "../services/payment-service.js";
import { enqueueReviewNotification } from "../jobs/notify.js";
import { reconcileRefundJob } from "../jobs/payments.js";
import { STAFF_MONEY_LIMIT, STAFF_REVIEW_LIMIT } from "../lib/staff-rate-limits.js";
import { photoMarks } from "../services/photo-marks.js";

const bearer = [{ bearer: [] }];
const SubmissionParams = z.object({ id: z.string().uuid() });
const CLAIM_MS = 10 * 60_000;


/** Staff actions the graduate's journey depends on: review, manual pass, disputes, refunds. */
export const staffJourneyRoutes: FastifyPluginAsyncZod = async (app) => {
  const { db, storage } = app.deps;

  async function scopedSubmission(req: Parameters<typeof staffOf>[0], id: string) {
    const s = await db.submission.findUnique({ where: { id }, include: { campaign: true } });
    if (!s) throw notFound();
    assertSchoolScope(staffOf(req), s.campaign.schoolId);
    return s;
  }

  /** The manual pass behind a submission under review: who, why, and the photos that failed the comparison. */
  async function manualPassOf(submissionId: string) {
    const o = await db.override.findFirst({ where: { submissionId }, orderBy: { createdAt: "desc" }, include: { staffUser: { select: { displayName: true, username: true } } } });
    if (!o) return null;
    const failed = await db.comparison.findMany({ where: { submissionId, qualifying: true, passed: false }, orderBy: { createdAt: "asc" }, include: { photo: { select: { standardizedKey: true, originalKey: true } } } });
    return {
      staff: `${o.staffUser.displayName}（${o.staffUser.username}）`,
      reason: o.reason,
      at: o.createdAt.toISOString(),
      photos: await Promise.all(
        failed.map(async (c) => ({ url: await storage.signedUrl(c.photo.standardizedKey ?? c.photo.originalKey, { expiresInSeconds: 900 }), score: c.score, at: c.createdAt.toISOString() })),
      ),
    };
  }

  app.post(
    "/api/staff/reviews/next",
    {
      config: { auth: "staff", roles: ["OPERATOR", "SCHOOL_ADMIN", "REVIEWER"], subjectRateLimit: STAFF_REVIEW_LIMIT },
      schema: { tags: ["staff"], summary: "Claim the next submission to review (two reviewers never get the same one)", security: bearer, body: z.object({ campaignId: z.string().uuid() }), response: { 200: ReviewItemSchema.nullable(), 403: ApiErrorSchema, 404: ApiErrorSchema } },
    },
    async (req) => {
      const staff = staffOf(req);
      const campaign = await db.campaign.findUnique({ where: { id: req.body.campaignId } });
      if (!campaign) throw notFound();
      assertSchoolScope(staff, campaign.schoolId);
      const until = new Date(Date.now() + CLAIM_MS);
      // SKIP LOCKED + claim column: concurrent reviewers each get a different submission.
      const rows = await db.$queryRaw<Array<{ id: string }>>`
        UPDATE "submissions" SET review_claimed_by_id = ${staff.id}::uuid, review_claimed_until = ${until}
        WHERE id = (
          SELECT id FROM "submissions"
          WHERE campaign_id = ${campaign.id}::uuid AND state = 'REVIEWING'
            AND (review_claimed_until IS NULL OR review_claimed_until < now() OR review_claimed_by_id = ${staff.id}::uuid)
          ORDER BY submitted_at NULLS LAST, id
          LIMIT 1 FOR UPDATE SKIP LOCKED)
        RETURNING id`;
      const id = rows[0]?.id;
      if (!id) return null;
      const s = await db.submission.findUniqueOrThrow({ where: { id }, include: { rosterEntry: true, comparisons: { orderBy: { createdAt: "desc" }, take: 1 } } });
      const photo = await db.photo.findUniqueOrThrow({ where: { id: s.submittedPhotoId! } });
      const report = (photo.checkReport ?? { checks: [] }) as { checks: Array<{ id: string; passed: boolean; message: string }> };
      const manualPass = await manualPassOf(id);
      return {
        submission: await submissionView(db, id),
        standardizedUrl: await storage.signedUrl(photo.standardizedKey!, { expiresInSeconds: 900 }),
        admissionUrl: s.rosterEntry?.admissionPhotoKey ? await storage.signedUrl(s.rosterEntry.admissionPhotoKey, { expiresInSeconds: 900 }) : null,
        score: s.comparisons[0]?.score ?? null,
        referralNote: referralNote(s.comparisons[0]),
        checks: report.checks.map((c) => ({ id: c.id, passed: c.passed, message: c.message })),
        marks: photoMarks(photo.checkReport, "standardized"),
        claimedUntil: until.toISOString(),
        manualPass,
      };
    },
  );

  app.post(
    "/api/staff/reviews/:id",
    {
      config: { auth: "staff", roles: ["OPERATOR", "SCHOOL_ADMIN", "REVIEWER"], subjectRateLimit: STAFF_REVIEW_LIMIT },
      schema: {
        tags: ["staff"],
        summary: "审核通过 / 审核未通过 (with a reason)",
        security: bearer,
        params: SubmissionParams,
        body: ReviewDecisionSchema,
        response: { 200: SubmissionViewSchema, 403: ApiErrorSchema, 404: ApiErrorSchema, 409: ApiErrorSchema },
      },
    },
    async (req) => {
      const staff = staffOf(req);
      const s = await scopedSubmission(req, req.params.id);
      if (s.reviewClaimedById && s.reviewClaimedById !== staff.id && s.reviewClaimedUntil && s.reviewClaimedUntil > new Date()) {
        throw new AppError(409, "REVIEW_CLAIMED", "该照片正由其他审核员审核");
      }
      const approved = req.body.decision === "APPROVED";
      await db.$transaction(async (tx) => {
        await applyEvent(tx, s.id, { type: approved ? "REVIEW_APPROVED" : "REVIEW_REJECTED" }, { type: "STAFF", id: staff.id, ip: req.ip }, { decidedAt: new Date(), reviewClaimedBy: { disconnect: true }, reviewClaimedUntil: null });
        await tx.review.create({ data: { submissionId: s.id, photoId: s.submittedPhotoId!, decision: req.body.decision, reason: req.body.decision === "REJECTED" ? req.body.reason : null, reviewerId: staff.id } });
      });
      await enqueueReviewNotification(app.deps, s.id);
      return submissionView(db, s.id);
    },
  );

  app.post(
    "/api/staff/submissions/:id/manual-pass",
    {
      config: { auth: "staff", roles: ["OPERATOR", "SCHOOL_ADMIN", "CUSTOMER_SERVICE"], subjectRateLimit: STAFF_REVIEW_LIMIT },
      schema: { tags: ["staff"], summary: "Customer service passes a graduate by hand after 3 qualifying comparison failures", security: bearer, params: SubmissionParams, body: z.object({ reason: z.string().trim().min(4).max(500) }), response: { 200: SubmissionViewSchema, 403: ApiErrorSchema, 404: ApiErrorSchema, 409: ApiErrorSchema } },
    },
    async (req) => {
      const staff = staffOf(req);
      const s = await scopedSubmission(req, req.params.id);
      await db.$transaction(async (tx) => {
        await applyEvent(tx, s.id, { type: "MANUAL_PASS" }, { type: "STAFF", id: staff.id, ip: req.ip });
        await tx.override.create({ data: { submissionId: s.id, staffUserId: staff.id, reason: req.body.reason } });
      });
      const after = await db.submission.findUniqueOrThrow({ where: { id: s.id } });
      if (after.state === "APPROVED") await enqueueReviewNotification(app.deps, s.id);
      return submissionView(db, s.id);
    },
  );

  app.post(
    "/api/staff/submissions/:id/resolve-dispute",
    {
      config: { auth: "staff", roles: ["OPERATOR", "SCHOOL_ADMIN", "CUSTOMER_SERVICE"], subjectRateLimit: STAFF_REVIEW_LIMIT },
      schema: { tags: ["staff"], summary: "Mark an admission-photo dispute as resolved (after the photo was corrected)", security: bearer, params: SubmissionParams, body: z.object({ note: z.string().trim().min(2).max(500) }), response: { 200: SubmissionViewSchema, 403: ApiErrorSchema, 404: ApiErrorSchema, 409: ApiErrorSchema } },
    },
    async (req) => {
      const staff = staffOf(req);
      const s = await scopedSubmission(req, req.params.id);
      const entry = s.rosterEntryId ? await db.rosterEntry.findUnique({ where: { id: s.rosterEntryId } }) : null;
      if (!entry?.admissionPhotoKey) throw new AppError(409, "ADMISSION_PHOTO_MISSING", "请先上传正确的录取照片，再标记为已解决");
      await db.$transaction(async (tx) => {
        await tx.rosterEntry.update({ where: { id: entry.id }, data: { admissionPhotoStatus: "PRESENT", disputeNote: req.body.note } });
        // the graduate's complaint is replaced by the resolution on the entry: the log keeps both
        await audit(tx, { actorType: "STAFF", actorId: staff.id, schoolId: s.campaign.schoolId, action: "roster.dispute_resolved", targetType: "roster_entry", targetId: entry.id, before: { admissionPhotoStatus: entry.admissionPhotoStatus, disputeNote: entry.disputeNote, disputedAt: entry.disputedAt }, after: { admissionPhotoStatus: "PRESENT", note: req.body.note }, ip: req.ip });
        await applyEvent(tx, s.id, { type: "DISPUTE_RESOLVED" }, { type: "STAFF", id: staff.id, ip: req.ip });
      });
      return submissionView(db, s.id);
    },
  );

  app.post(
    "/api/staff/orders/:id/refunds",
    {
      config: { auth: "staff", roles: ["OPERATOR", "SCHOOL_ADMIN"], subjectRateLimit: STAFF_MONEY_LIMIT },
      schema: { tags: ["staff"], summary: "Refund an order in full or in part", security: bearer, params: SubmissionParams, body: RefundRequestSchema, response: { 200: RefundViewSchema, 403: ApiErrorSchema, 404: ApiErrorSchema, 409: ApiErrorSchema, 503: ApiErrorSchema } },
    },
    async (req) => {
      const staff = staffOf(req);
      const found = await db.order.findUnique({ where: { id: req.params.id }, include: { submission: { include: { campaign: true } } } });
      if (!found) throw notFound();
      assertSchoolScope(staff, found.submission.campaign.schoolId);
      const pay = app.deps.wechat.pay;
      if (!pay) throw new AppError(503, "PAYMENT_UNAVAILABLE", "微信支付未配置，无法退款");
      // the refundable amount is checked and claimed under the order's row lock: two staff (or a double
      // click) refunding at once cannot both claim the same money
      const { order, refund } = await db.$transaction(async (tx) => {
        await lockOrder(tx, found.id);
        const order = await tx.order.findUniqueOrThrow({ where: { id: found.id }, include: { refunds: true } });
        if (order.status !== "PAID" && order.status !== "PARTIALLY_REFUNDED") throw new AppError(409, "ORDER_NOT_REFUNDABLE", "该订单当前不能退款");
        const already = order.refunds.filter((r) => r.status !== "CLOSED" && r.status !== "ABNORMAL").reduce((n, r) => n + r.amountFen, 0);
        const amount = req.body.amountFen ?? order.amountFen - already;
        if (amount <= 0 || already + amount > order.amountFen) throw new AppError(409, "REFUND_TOO_LARGE", "退款金额超过可退金额", { refundable: order.amountFen - already });
        const refund = await tx.refund.create({ data: { orderId: order.id, outRefundNo: newOutTradeNo("RF"), amountFen: amount, reason: req.body.reason, staffUserId: staff.id } });
        await audit(tx, { actorType: "STAFF", actorId: staff.id, schoolId: found.submission.campaign.schoolId, action: "order.refund_requested", targetType: "order", targetId: order.id, after: { amountFen: amount, reason: req.body.reason }, ip: req.ip });
        return { order, refund };
      });
      try {
        const r = await pay.refund({ outTradeNo: order.outTradeNo, outRefundNo: refund.outRefundNo, refundFen: refund.amountFen, totalFen: order.amountFen, reason: req.body.reason });
        if (r.refund_id) await db.refund.update({ where: { id: refund.id }, data: { refundId: r.refund_id } });
        if (r.status !== "PROCESSING") await recordRefund(app.deps, { out_refund_no: refund.outRefundNo, refund_id: r.refund_id, refund_status: r.status, amount: r.amount, success_time: r.success_time } as Parameters<typeof recordRefund>[1]);
        else {
          // 退款中 — unless this refund's result (a notify) was recorded meanwhile
          await db.$transaction(async (tx) => {
            await lockOrder(tx, order.id);
            const still = await tx.refund.findUniqueOrThrow({ where: { id: refund.id } });
            if (still.status === "PROCESSING") await tx.order.update({ where: { id: order.id }, data: { status: "REFUNDING" } });
          });
        }
      } catch (e) {
        if (isWechatError(e) && e.retryable) {
          // No usable answer (a timeout, a WeChat Pay server error): WeChat Pay may have accepted the
          // refund. It stays 处理中 and keeps its amount claimed, so a second click cannot pay the
          // same money out again; a reconciliation asks WeChat Pay what became of it.
          await db.$transaction(async (tx) => {
            await lockOrder(tx, order.id);
            const still = await tx.refund.findUniqueOrThrow({ where: { id: refund.id } });
            if (still.status === "PROCESSING") await tx.order.update({ where: { id: order.id }, data: { status: "REFUNDING" } });
          });
          await app.deps.jobs?.send(reconcileRefundJob, { outRefundNo: refund.outRefundNo }, { singletonKey: refund.outRefundNo, startAfterSeconds: 60 }).catch((err: unknown) => req.log.error({ err, outRefundNo: refund.outRefundNo }, "refund reconciliation not queued"));
          await audit(db, { actorType: "STAFF", actorId: staff.id, schoolId: found.submission.campaign.schoolId, action: "order.refund_unconfirmed", targetType: "order", targetId: order.id, after: { outRefundNo: refund.outRefundNo, code: e.code }, ip: req.ip });
          throw new AppError(503, "REFUND_UNCONFIRMED", "微信支付暂未确认这笔退款，系统将自动核实结果（退款中），请勿重复退款");
        }
        if (isWechatError(e)) {
          // WeChat Pay refused it: no money left, and the amount can be refunded again
          await db.refund.update({ where: { id: refund.id }, data: { status: "ABNORMAL" } });
          await audit(db, { actorType: "STAFF", actorId: staff.id, schoolId: found.submission.campaign.schoolId, action: "order.refund_refused", targetType: "order", targetId: order.id, after: { outRefundNo: refund.outRefundNo, code: e.code, wechatCode: e.wechatCode ?? null }, ip: req.ip });
          throw new AppError(503, e.code, e.message);
        }
        throw e;
      }
      const fresh = await db.refund.findUniqueOrThrow({ where: { id: refund.id } });
      return { id: fresh.id, outRefundNo: fresh.outRefundNo, amountFen: fresh.amountFen, status: fresh.status, reason: fresh.reason };
    },
  );
};

export { OkSchema };
