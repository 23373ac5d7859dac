import type { FastifyPluginAsyncZod } from "fastify-type-provider-zod";
import type { FastifyRequest } from "fastify";
import { z } from "zod";
import {
  ApiErrorSchema,
  GraduateHistorySchema,
  GraduateSearchQuerySchema,
  GraduateSearchResultSchema,
  NotificationPageSchema,
  NotificationQuerySchema,
  NotificationResendSchema,
  ResolvePaymentAnomalySchema,
  OrderAdminSchema,
  OrderPageSchema,
  OrderQuerySchema,
  ReferenceIssueSchema,
  ServiceWorklistQuerySchema,
  ServiceWorklistSchema,
  SubmissionViewSchema,
  UnbindCodeRequestSchema,
  type GraduateHistory,
  type ReferenceIssue,
} from "@gradphoto/contracts";
import { describeReasons } from "@gradphoto/face";
import { STATE_LABELS } from "@gradphoto/domain";
import type { Prisma } from "@gradphoto/db";
import { isWechatError } from "@gradphoto/wechat";
import { AppError, notFound } from "../lib/errors.js";
import { audit } from "../lib/audit.js";
import { phoneOf, phoneSearchHash } from "../lib/id-crypto.js";
import { assertSchoolScope, staffOf } from "../plugins/auth.js";
import { applyEvent } from "../services/transitions.js";
import { submissionView } from "../services/submission-view.js";
import type { StoredCheck } from "../services/photo-service.js";
import { creditedFen, orderAdmin, orderAdminInclude, reconciliationOf } from "../services/admin/order-admin.js";
import { reconcileOrder, StillPendingError } from "../jobs/payments.js";
import { likeLiteral } from "../lib/like.js";
import { resendNotification } from "../jobs/notify.js";
import { STAFF_MONEY_LIMIT, STAFF_SEARCH_LIMIT } from "../lib/staff-rate-limits.js";

const bearer = [{ bearer: [] }];
const IdParams = z.object({ id: z.string().uuid() });
const SERVICE = ["OPERATOR", "SCHOOL_ADMIN", "CUSTOMER_SERVICE"] as const;
const SEARCH_LIMIT = 50;
const WORKLIST_LIMIT = 50;
const ATTENTION = new Set(["NEEDS_QUERY", "MISMATCH", "REFUND_ABNORMAL", "UNEXPECTED_PAYMENT"]);

const maskOpenid = (s: string) => (s.length <= 8 ? "****" : `${s.slice(0, 4)}****${s.slice(-4)}`);

/** Customer service: search, a graduate's whole history, rebinding a capture code; payments and reconciliation. */
export const staffServiceRoutes: FastifyPluginAsyncZod = async (app) => {
  const { db, storage } = app.deps;

  function campaignScope(req: FastifyRequest, campaignId?: string): Prisma.CampaignWhereInput {
    const staff = staffOf(req);
    return { ...(staff.role === "OPERATOR" ? {} : { schoolId: staff.schoolId! }), ...(campaignId ? { id: campaignId } : {}) };
  }

  async function scopedSubmission(req: FastifyRequest, id: string) {
    const s = await db.submission.findUnique({ where: { id }, include: { campaign: { include: { school: true } } } });
    if (!s) throw notFound();
    assertSchoolScope(staffOf(req), s.campaign.schoolId);
    return s;
  }

  app.get(
    "/api/staff/graduates",
    { config: { auth: "staff", roles: [...SERVICE], subjectRateLimit: STAFF_SEARCH_LIMIT }, schema: { tags: ["staff-admin"], summary: "Find graduates by name, unique number, phone or order number", security: bearer, querystring: GraduateSearchQuerySchema, response: { 200: GraduateSearchResultSchema, 403: ApiErrorSchema } } },
    async (req) => {
      const { q, campaignId } = req.query;
      const campaign = campaignScope(req, campaignId);
      const upper = q.toUpperCase();
      const ors: Prisma.RosterEntryWhereInput[] = [{ name: { contains: likeLiteral(q) } }];
      if (/^[0-9A-Za-z]{4,40}$/.test(q)) ors.push({ uniqueNumber: { startsWith: q, mode: "insensitive" } });
      const key = app.deps.config.idEncryptionKey;
      const phoneHash = /^[0-9+\- ]{5,20}$/.test(q) ? phoneSearchHash(key, q) : null;
      if (phoneHash) ors.push({ phoneHash });
      const [entries, orders] = await Promise.all([
        db.rosterEntry.findMany({ where: { campaign, OR: ors }, include: { campaign: { select: { name: true } }, submission: { select: { id: true, state: true } } }, take: SEARCH_LIMIT + 1, orderBy: [{ name: "asc" }] }),
        /^[A-Za-z0-9]{6,32}$/.test(q)
          ? db.order.findMany({ where: { outTradeNo: { startsWith: upper }, submission: { campaign } }, include: { submission: { include: { rosterEntry: true, campaign: { select: { name: true } } } } }, take: 10 })
          : Promise.resolve([]),
      ]);
      const items: z.infer<typeof GraduateSearchResultSchema>["items"] = [];
      const seen = new Set<string>();
      for (const o of orders) {
        const s = o.submission;
        const r = s.rosterEntry;
        seen.add(s.id);
        items.push({ rosterEntryId: r?.id ?? null, submissionId: s.id, campaignId: s.campaignId, campaignName: s.campaign.name, name: r?.name ?? null, uniqueNumber: r?.uniqueNumber ?? null, college: r?.college ?? null, major: r?.major ?? null, phone: r ? phoneOf(key, r) : null, state: s.state, stateLabel: STATE_LABELS[s.state], admissionPhotoStatus: r?.admissionPhotoStatus ?? null, matchedBy: "order" });
      }
      for (const e of entries.slice(0, SEARCH_LIMIT)) {
        if (e.submission && seen.has(e.submission.id)) continue;
        const matchedBy = e.uniqueNumber.toUpperCase().startsWith(upper) && upper.length >= 4 ? "uniqueNumber" : phoneHash && e.phoneHash === phoneHash ? "phone" : "name";
        items.push({ rosterEntryId: e.id, submissionId: e.submission?.id ?? null, campaignId: e.campaignId, campaignName: e.campaign.name, name: e.name, uniqueNumber: e.uniqueNumber, college: e.college, major: e.major, phone: phoneOf(key, e), state: e.submission?.state ?? null, stateLabel: e.submission ? STATE_LABELS[e.submission.state] : "未开始", admissionPhotoStatus: e.admissionPhotoStatus, matchedBy });
      }
      return { items, truncated: entries.length > SEARCH_LIMIT };
    },
  );

  app.get(
    "/api/staff/service/worklist",
    { config: { auth: "staff", roles: [...SERVICE], subjectRateLimit: STAFF_SEARCH_LIMIT }, schema: { tags: ["staff-admin"], summary: "Customer service work list: graduates waiting for a manual pass, admission-photo disputes, refunds not yet completed (oldest first, with counts)", security: bearer, querystring: ServiceWorklistQuerySchema, response: { 200: ServiceWorklistSchema, 403: ApiErrorSchema } } },
    async (req) => {
      const campaign = campaignScope(req, req.query.campaignId);
      const waiting = async (state: "NEEDS_MANUAL_PASS" | "ADMISSION_DISPUTED") => {
        const where: Prisma.SubmissionWhereInput = { state, campaign };
        const [rows, count] = await Promise.all([
          db.submission.findMany({
            where,
            include: { rosterEntry: true, campaign: { select: { name: true } } },
            orderBy: { updatedAt: "asc" },
            take: WORKLIST_LIMIT,
          }),
          db.submission.count({ where }),
        ]);
        return {
          count,
          items: rows.map((s) => ({
            submissionId: s.id,
            campaignId: s.campaignId,
            campaignName: s.campaign.name,
            name: s.rosterEntry?.name ?? null,
            uniqueNumber: s.rosterEntry?.uniqueNumber ?? null,
            college: s.rosterEntry?.college ?? null,
            major: s.rosterEntry?.major ?? null,
            phone: s.rosterEntry ? phoneOf(app.deps.config.idEncryptionKey, s.rosterEntry) : null,
            state: s.state,
            stateLabel: STATE_LABELS[s.state],
            since: s.updatedAt.toISOString(),
            detail: state === "ADMISSION_DISPUTED" ? (s.rosterEntry?.disputeNote ?? null) : `合格照片比对 ${s.qualifyingFailures} 次未通过`,
          })),
        };
      };
      const refundWhere: Prisma.RefundWhereInput = { status: { in: ["PROCESSING", "ABNORMAL"] }, order: { submission: { campaign } } };
      const [manual, disputed, refunds, refundCount] = await Promise.all([
        waiting("NEEDS_MANUAL_PASS"),
        waiting("ADMISSION_DISPUTED"),
        db.refund.findMany({
          where: refundWhere,
          include: { staffUser: { select: { displayName: true } }, order: { include: { submission: { include: { rosterEntry: true, campaign: { select: { name: true } } } } } } },
          orderBy: { createdAt: "asc" },
          take: WORKLIST_LIMIT,
        }),
        db.refund.count({ where: refundWhere }),
      ]);
      return {
        generatedAt: new Date().toISOString(),
        counts: { manualPass: manual.count, disputed: disputed.count, refunds: refundCount },
        manualPass: manual.items,
        disputed: disputed.items,
        refunds: refunds.map((r) => ({
          refundId: r.id,
          orderId: r.orderId,
          submissionId: r.order.submissionId,
          campaignName: r.order.submission.campaign.name,
          name: r.order.submission.rosterEntry?.name ?? null,
          uniqueNumber: r.order.submission.rosterEntry?.uniqueNumber ?? null,
          outTradeNo: r.order.outTradeNo,
          amountFen: r.amountFen,
          status: r.status,
          reason: r.reason,
          staffName: r.staffUser?.displayName ?? null,
          createdAt: r.createdAt.toISOString(),
        })),
      };
    },
  );

  app.get(
    "/api/staff/submissions/:id/history",
    { config: { auth: "staff", roles: [...SERVICE] }, schema: { tags: ["staff-admin"], summary: "A graduate's whole history: photos, checks, standardisations, comparisons, reviews, payments, notifications", security: bearer, params: IdParams, response: { 200: GraduateHistorySchema, 403: ApiErrorSchema, 404: ApiErrorSchema } } },
    async (req): Promise<GraduateHistory> => {
      const base = await scopedSubmission(req, req.params.id);
      const s = await db.submission.findUniqueOrThrow({
        where: { id: base.id },
        include: {
          wechatUser: true,
          rosterEntry: true,
          photos: { orderBy: { createdAt: "desc" } },
          attempts: { orderBy: { createdAt: "desc" } },
          comparisons: { orderBy: { createdAt: "desc" } },
          reviews: { orderBy: { createdAt: "desc" }, include: { reviewer: { select: { displayName: true } } } },
          overrides: { orderBy: { createdAt: "desc" }, include: { staffUser: { select: { displayName: true } } } },
          orders: { orderBy: { createdAt: "desc" }, include: orderAdminInclude },
          notifications: { orderBy: { createdAt: "desc" } },
          transitions: { orderBy: { createdAt: "desc" } },
        },
      });
      const codes = s.rosterEntryId
        ? await db.captureCode.findMany({ where: { OR: [{ rosterEntryId: s.rosterEntryId }, { wechatUserId: s.wechatUserId, rosterEntry: { campaignId: s.campaignId } }] }, orderBy: { boundAt: "desc" } })
        : await db.captureCode.findMany({ where: { wechatUserId: s.wechatUserId, rosterEntry: { campaignId: s.campaignId } }, orderBy: { boundAt: "desc" } });
      const staffIds = [...new Set(s.transitions.filter((t) => t.actorType === "STAFF" && t.actorId).map((t) => t.actorId!))];
      const staffNames = new Map((await db.staffUser.findMany({ where: { id: { in: staffIds } }, select: { id: true, displayName: true } })).map((x) => [x.id, x.displayName]));
      const url = (key: string | null) => (key ? storage.signedUrl(key, { expiresInSeconds: 900 }) : Promise.resolve(null));
      const r = s.rosterEntry;
      const staff = staffOf(req);
      await audit(db, { actorType: "STAFF", actorId: staff.id, schoolId: base.campaign.schoolId, action: "graduate.history_viewed", targetType: "submission", targetId: s.id, ip: req.ip });
      return {
        submission: await submissionView(db, s.id),
        campaign: { id: base.campaign.id, name: base.campaign.name, schoolId: base.campaign.schoolId, schoolName: base.campaign.school.name },
        wechatUser: { id: s.wechatUser.id, nickname: s.wechatUser.nickname, openidMasked: maskOpenid(s.wechatUser.openid), createdAt: s.wechatUser.createdAt.toISOString() },
        rosterEntry: r
          ? {
              id: r.id,
              uniqueNumber: r.uniqueNumber,
              name: r.name,
              idNumberMasked: r.idNumberMasked,
              phone: phoneOf(app.deps.config.idEncryptionKey, r),
              college: r.college,
              major: r.major,
              degreeLevel: r.degreeLevel,
              admissionPhotoStatus: r.admissionPhotoStatus,
              admissionUrl: await url(r.admissionPhotoKey),
              disputeNote: r.disputeNote,
              disputedAt: r.disputedAt?.toISOString() ?? null,
            }
          : null,
        captureCodes: codes.map((c) => ({
          id: c.id,
          uniqueNumber: c.uniqueNumber,
          provider: c.provider,
          status: c.status,
          maskedName: typeof (c.decodedFields as { maskedName?: unknown })?.maskedName === "string" ? (c.decodedFields as { maskedName: string }).maskedName : null,
          boundAt: c.boundAt.toISOString(),
          revokedAt: c.revokedAt?.toISOString() ?? null,
        })),
        photos: await Promise.all(
          s.photos.map(async (p) => {
            const report = (p.checkReport ?? { checks: [] }) as unknown as StoredCheck;
            return {
              id: p.id,
              source: p.source,
              createdAt: p.createdAt.toISOString(),
              compliant: p.compliant,
              checks: (report.checks ?? []).map((c) => ({ id: c.id, passed: c.passed, severity: c.severity, message: c.message, value: c.value, threshold: c.threshold })),
              error: report.error ? { code: report.error.code, message: report.error.message } : null,
              originalUrl: (await url(p.originalKey))!,
              standardizedUrl: await url(p.standardizedKey),
              printUrl: await url(p.printKey),
              standardisations: s.attempts.filter((a) => a.photoId === p.id).length,
              current: s.currentPhotoId === p.id,
              submitted: s.submittedPhotoId === p.id,
            };
          }),
        ),
        standardisations: s.attempts.map((a) => ({ id: a.id, photoId: a.photoId, createdAt: a.createdAt.toISOString() })),
        comparisons: s.comparisons.map((c) => ({
          id: c.id,
          photoId: c.photoId,
          score: c.score,
          threshold: c.threshold,
          passed: c.passed,
          qualifying: c.qualifying,
          errorCode: c.errorCode,
          modelId: c.modelId,
          provider: c.provider === "tencent" ? ("tencent" as const) : ("local" as const),
          fallbackReason: c.fallbackReason,
          referralReason: c.referralReason,
          ...referenceIssuesOf(c.referenceQuality),
          createdAt: c.createdAt.toISOString(),
        })),
        reviews: s.reviews.map((v) => ({ id: v.id, decision: v.decision, reason: v.reason, automatic: v.automatic, reviewer: v.reviewer?.displayName ?? (v.automatic ? "系统" : null), createdAt: v.createdAt.toISOString() })),
        overrides: s.overrides.map((o) => ({ id: o.id, staff: o.staffUser.displayName, reason: o.reason, createdAt: o.createdAt.toISOString() })),
        orders: s.orders.map((o) => orderAdmin(o)),
        notifications: s.notifications.map((n) => {
          const p = (n.payload ?? {}) as { result?: string; reason?: string };
          return { id: n.id, kind: n.kind, status: n.status, templateId: n.templateId, result: p.result ?? null, reason: p.reason ?? null, lastError: n.lastError, attempts: n.attempts, createdAt: n.createdAt.toISOString(), sentAt: n.sentAt?.toISOString() ?? null };
        }),
        transitions: s.transitions.map((t) => ({ event: t.event, from: t.fromState, to: t.toState, actorType: t.actorType, actor: t.actorType === "STAFF" ? (staffNames.get(t.actorId ?? "") ?? null) : t.actorType === "GRADUATE" ? "毕业生" : "系统", createdAt: t.createdAt.toISOString() })),
      };
    },
  );

  app.post(
    "/api/staff/submissions/:id/unbind-code",
    {
      config: { auth: "staff", roles: [...SERVICE], subjectRateLimit: STAFF_MONEY_LIMIT },
      schema: { tags: ["staff-admin"], summary: "Revoke the capture code bound to this submission so the right graduate can bind it (before submission only)", security: bearer, params: IdParams, body: UnbindCodeRequestSchema, response: { 200: SubmissionViewSchema, 403: ApiErrorSchema, 404: ApiErrorSchema, 409: ApiErrorSchema } },
    },
    async (req) => {
      const staff = staffOf(req);
      const s = await scopedSubmission(req, req.params.id);
      await db.$transaction(async (tx) => {
        // The state machine decides whether unbinding is still possible (not after submission).
        await applyEvent(tx, s.id, { type: "CODE_UNBOUND" }, { type: "STAFF", id: staff.id, ip: req.ip }, { rosterEntry: { disconnect: true } });
        const revoked = await tx.captureCode.updateMany({ where: { wechatUserId: s.wechatUserId, status: "BOUND", rosterEntry: { campaignId: s.campaignId } }, data: { status: "REVOKED", revokedAt: new Date() } });
        await audit(tx, { actorType: "STAFF", actorId: staff.id, schoolId: s.campaign.schoolId, action: "capture_code.revoked", targetType: "submission", targetId: s.id, before: { rosterEntryId: s.rosterEntryId }, after: { reason: req.body.reason, revoked: revoked.count }, ip: req.ip });
      });
      return submissionView(db, s.id);
    },
  );

  app.get(
    "/api/staff/orders",
    { config: { auth: "staff", roles: [...SERVICE], subjectRateLimit: STAFF_SEARCH_LIMIT }, schema: { tags: ["staff-admin"], summary: "Orders with payments, refunds and reconciliation status", security: bearer, querystring: OrderQuerySchema, response: { 200: OrderPageSchema, 403: ApiErrorSchema } } },
    async (req) => {
      const q = req.query;
      const now = new Date();
      const where: Prisma.OrderWhereInput = {
        submission: {
          campaign: campaignScope(req, q.campaignId),
          ...(q.q && !/^[A-Za-z0-9]{6,32}$/.test(q.q) ? { rosterEntry: { name: { contains: likeLiteral(q.q) } } } : {}),
        },
        ...(q.status ? { status: q.status } : {}),
        ...(q.q && /^[A-Za-z0-9]{6,32}$/.test(q.q) ? { OR: [{ outTradeNo: { startsWith: q.q.toUpperCase() } }, { submission: { rosterEntry: { uniqueNumber: { startsWith: q.q, mode: "insensitive" } } } }] } : {}),
        ...(q.from || q.to ? { createdAt: { ...(q.from ? { gte: new Date(q.from) } : {}), ...(q.to ? { lte: new Date(q.to) } : {}) } } : {}),
      };
      // Reconciliation is computed, so the filter and the summary run over a slim copy of every match.
      const slim = await db.order.findMany({
        where,
        select: { id: true, status: true, amountFen: true, expiresAt: true, paidAt: true, lastQueriedAt: true, payments: { select: { amountFen: true, tradeState: true, anomaly: true, anomalyResolvedAt: true } }, refunds: { select: { amountFen: true, status: true } } },
        orderBy: { createdAt: "desc" },
        take: 50_000,
      });
      const withRec = slim.map((o) => ({ o, rec: reconciliationOf(o, now) }));
      const matching = q.reconciliation ? withRec.filter((x) => x.rec === q.reconciliation) : withRec;
      const pageIds = matching.slice((q.page - 1) * q.pageSize, q.page * q.pageSize).map((x) => x.o.id);
      const rows = await db.order.findMany({ where: { id: { in: pageIds } }, include: orderAdminInclude });
      const byId = new Map(rows.map((r) => [r.id, r]));
      return {
        items: pageIds.map((id) => orderAdmin(byId.get(id)!, now)),
        total: matching.length,
        page: q.page,
        pageSize: q.pageSize,
        summary: {
          orders: matching.length,
          paidFen: matching.reduce((n, x) => n + creditedFen(x.o.payments), 0),
          refundedFen: matching.reduce((n, x) => n + x.o.refunds.filter((r) => r.status === "SUCCESS").reduce((m, r) => m + r.amountFen, 0), 0),
          needsAttention: matching.filter((x) => ATTENTION.has(x.rec)).length,
        },
      };
    },
  );

  app.post(
    "/api/staff/orders/:id/reconcile",
    { config: { auth: "staff", roles: [...SERVICE], subjectRateLimit: STAFF_MONEY_LIMIT }, schema: { tags: ["staff-admin"], summary: "Ask WeChat Pay about an unpaid order now (records a missed payment, closes an expired order)", security: bearer, params: IdParams, response: { 200: OrderAdminSchema, 403: ApiErrorSchema, 404: ApiErrorSchema, 503: ApiErrorSchema } } },
    async (req) => {
      const staff = staffOf(req);
      const o = await db.order.findUnique({ where: { id: req.params.id }, include: orderAdminInclude });
      if (!o) throw notFound();
      assertSchoolScope(staff, o.submission.campaign.schoolId);
      if (o.status === "CREATED") {
        if (!app.deps.wechat.pay) throw new AppError(503, "PAYMENT_UNAVAILABLE", "微信支付未配置，无法查单");
        try {
          await reconcileOrder(app.deps, { outTradeNo: o.outTradeNo });
        } catch (e) {
          if (isWechatError(e)) throw new AppError(503, e.code, e.message);
          if (!(e instanceof StillPendingError)) throw e;
          await db.order.update({ where: { id: o.id }, data: { lastQueriedAt: new Date() } });
        }
      }
      const fresh = await db.order.findUniqueOrThrow({ where: { id: o.id }, include: orderAdminInclude });
      await audit(db, { actorType: "STAFF", actorId: staff.id, schoolId: o.submission.campaign.schoolId, action: "order.reconciled", targetType: "order", targetId: o.id, before: { status: o.status }, after: { status: fresh.status }, ip: req.ip });
      return orderAdmin(fresh);
    },
  );

  app.post(
    "/api/staff/orders/:id/payments/:transactionId/resolve",
    {
      config: { auth: "staff", roles: ["OPERATOR", "SCHOOL_ADMIN"], subjectRateLimit: STAFF_MONEY_LIMIT },
      schema: { tags: ["staff-admin"], summary: "Mark a payment kept for reconciliation (UNEXPECTED_PAYMENT) as handled, e.g. refunded in the merchant platform", security: bearer, params: z.object({ id: z.string().uuid(), transactionId: z.string().min(1).max(64) }), body: ResolvePaymentAnomalySchema, response: { 200: OrderAdminSchema, 403: ApiErrorSchema, 404: ApiErrorSchema, 409: ApiErrorSchema } },
    },
    async (req) => {
      const staff = staffOf(req);
      const o = await db.order.findUnique({ where: { id: req.params.id }, include: orderAdminInclude });
      if (!o) throw notFound();
      assertSchoolScope(staff, o.submission.campaign.schoolId);
      const p = o.payments.find((x) => x.transactionId === req.params.transactionId);
      if (!p) throw notFound();
      if (p.anomaly === null || p.anomalyResolvedAt !== null) throw new AppError(409, "PAYMENT_NOT_FLAGGED", "该笔支付无需处理");
      await db.payment.update({ where: { id: p.id }, data: { anomalyResolvedAt: new Date(), anomalyNote: req.body.note } });
      await audit(db, { actorType: "STAFF", actorId: staff.id, schoolId: o.submission.campaign.schoolId, action: "payment.anomaly_resolved", targetType: "order", targetId: o.id, after: { transactionId: p.transactionId, anomaly: p.anomaly, note: req.body.note }, ip: req.ip });
      return orderAdmin(await db.order.findUniqueOrThrow({ where: { id: o.id }, include: orderAdminInclude }));
    },
  );

  app.get(
    "/api/staff/notifications",
    { config: { auth: "staff", roles: [...SERVICE] }, schema: { tags: ["staff-admin"], summary: "订阅消息 that did not certainly reach the graduate: FAILED (e.g. WeChat down past the retry budget) and MAYBE_SENT (outcome unknown after a crash)", security: bearer, querystring: NotificationQuerySchema, response: { 200: NotificationPageSchema, 403: ApiErrorSchema } } },
    async (req) => {
      const q = req.query;
      const where: Prisma.NotificationWhereInput = {
        status: q.status ? q.status : { in: ["FAILED", "MAYBE_SENT"] },
        submission: { campaign: campaignScope(req, q.campaignId) },
      };
      const [total, rows] = await Promise.all([
        db.notification.count({ where }),
        db.notification.findMany({ where, include: { submission: { include: { campaign: { select: { name: true } }, rosterEntry: { select: { name: true, uniqueNumber: true } } } } }, orderBy: { createdAt: "desc" }, skip: (q.page - 1) * q.pageSize, take: q.pageSize }),
      ]);
      return {
        items: rows.map((n) => {
          const p = (n.payload ?? {}) as { result?: string };
          const r = n.submission?.rosterEntry;
          return { id: n.id, kind: n.kind, status: n.status, result: p.result ?? null, lastError: n.lastError, attempts: n.attempts, resends: n.resends, autoResend: n.autoResend, createdAt: n.createdAt.toISOString(), submissionId: n.submissionId, campaignName: n.submission?.campaign.name ?? null, graduate: r ? { name: r.name, uniqueNumber: r.uniqueNumber } : null };
        }),
        total,
        page: q.page,
        pageSize: q.pageSize,
      };
    },
  );

  app.post(
    "/api/staff/notifications/:id/resend",
    { config: { auth: "staff", roles: [...SERVICE], subjectRateLimit: STAFF_MONEY_LIMIT }, schema: { tags: ["staff-admin"], summary: "Send a FAILED or MAYBE_SENT 订阅消息 again (needs the graduate's unused subscription; a MAYBE_SENT one may arrive twice)", security: bearer, params: IdParams, response: { 200: NotificationResendSchema, 403: ApiErrorSchema, 404: ApiErrorSchema, 409: ApiErrorSchema } } },
    async (req) => {
      const staff = staffOf(req);
      const n = await db.notification.findUnique({ where: { id: req.params.id }, include: { submission: { include: { campaign: true } } } });
      if (!n || !n.submission) throw notFound();
      assertSchoolScope(staff, n.submission.campaign.schoolId);
      if ((await resendNotification(app.deps, n.id)) !== "queued") throw new AppError(409, "NOTIFICATION_NOT_RESENDABLE", "该通知已发送或正在发送，无需重发");
      await audit(db, { actorType: "STAFF", actorId: staff.id, schoolId: n.submission.campaign.schoolId, action: "notification.resend", targetType: "notification", targetId: n.id, before: { status: n.status }, ip: req.ip });
      return { id: n.id, status: "PENDING" as const };
    },
  );
};

const StoredReferenceQuality = z.object({ reasons: z.array(ReferenceIssueSchema) });
/** The admission photo's quality problems as recorded with a comparison (older rows carry none), with the text the graduate was told. */
function referenceIssuesOf(q: Prisma.JsonValue | null): { referenceIssues: ReferenceIssue[]; referenceIssuesText: string | null } {
  const r = StoredReferenceQuality.safeParse(q);
  const reasons = r.success ? r.data.reasons : [];
  return { referenceIssues: reasons, referenceIssuesText: reasons.length ? describeReasons(reasons) : null };
}
