import { Prisma, type Db } from "@gradphoto/db";
import { allowedEvents, STATE_LABELS, standardisationQuota } from "@gradphoto/domain";
import type { SubmissionView } from "@gradphoto/contracts";
import { notFound } from "../lib/errors.js";
import { loadContext, type Tx } from "./transitions.js";

/**
 * Everything the mini-program needs to render the graduate's current step.
 * The view is several queries; outside a caller's transaction they run in one REPEATABLE READ
 * snapshot, so a refund or payment committed between them cannot show a REFUNDED order beside a
 * state from before it (and a canPay computed from the two).
 */
export async function submissionView(db: Db | Tx, submissionId: string, now = new Date()): Promise<SubmissionView> {
  if (!("$transaction" in db)) return readView(db, submissionId, now);
  return db.$transaction((tx) => readView(tx, submissionId, now), { isolationLevel: Prisma.TransactionIsolationLevel.RepeatableRead });
}

async function readView(db: Tx, submissionId: string, now: Date): Promise<SubmissionView> {
  const s = await db.submission.findUnique({
    where: { id: submissionId },
    include: {
      campaign: true,
      rosterEntry: true,
      attempts: { where: { createdAt: { gte: new Date(now.getTime() - 3 * 24 * 3600_000) } }, select: { createdAt: true } },
      comparisons: { orderBy: { createdAt: "desc" }, take: 1 },
      reviews: { orderBy: { createdAt: "desc" }, take: 1 },
      overrides: { orderBy: { createdAt: "desc" }, take: 1 },
      orders: {
        where: { status: { in: ["PAID", "REFUNDING", "PARTIALLY_REFUNDED", "REFUNDED"] } },
        orderBy: { createdAt: "desc" },
        take: 1,
        include: { refunds: { orderBy: { createdAt: "desc" }, take: 1 } },
      },
    },
  });
  if (!s) throw notFound();
  const quota = standardisationQuota(s.attempts.map((a) => a.createdAt), now);
  const { ctx } = await loadContext(db, s.id);
  const c = s.campaign;
  const r = s.rosterEntry;
  const cmp = s.comparisons[0];
  const rev = s.reviews[0];
  const ov = s.overrides[0];
  const paid = s.orders[0];
  const templates = Object.values((c.notifyTemplates ?? {}) as Record<string, unknown>).filter((t): t is string => typeof t === "string" && t.length > 0);
  const grants = templates.length ? await db.subscriptionGrant.count({ where: { wechatUserId: s.wechatUserId, templateId: { in: templates }, usedAt: null } }) : 0;
  const refund = paid?.refunds[0];
  return {
    id: s.id,
    campaignId: s.campaignId,
    state: s.state,
    stateLabel: STATE_LABELS[s.state],
    consentVersion: s.consentVersion,
    consentCurrent: s.consentVersion === c.consentVersion,
    paymentExempt: s.paymentExempt,
    freeRetakesLeft: s.freeRetakesLeft,
    qualifyingFailures: s.qualifyingFailures,
    quota: { usedToday: quota.usedToday, remainingToday: quota.remainingToday, nextAllowedAt: quota.nextAllowedAt?.toISOString() ?? null },
    rosterEntry: r ? { uniqueNumber: r.uniqueNumber, name: r.name, idNumberMasked: r.idNumberMasked, college: r.college, major: r.major, degreeLevel: r.degreeLevel } : null,
    currentPhotoId: s.currentPhotoId,
    submittedPhotoId: s.submittedPhotoId,
    lastComparison: cmp ? { score: cmp.score, passed: cmp.passed, referred: cmp.referralReason !== null, createdAt: cmp.createdAt.toISOString() } : null,
    lastReview: rev ? { decision: rev.decision, reason: rev.reason, createdAt: rev.createdAt.toISOString() } : null,
    manualPass: ov ? { reason: ov.reason, at: ov.createdAt.toISOString() } : null,
    payment: paid
      ? {
          status: paid.status as "PAID" | "REFUNDING" | "PARTIALLY_REFUNDED" | "REFUNDED",
          amountFen: paid.amountFen,
          paidAt: paid.paidAt?.toISOString() ?? null,
          refund: refund
            ? { status: refund.status, amountFen: refund.amountFen, reason: refund.reason, requestedAt: refund.createdAt.toISOString(), refundedAt: refund.succeededAt?.toISOString() ?? null }
            : null,
        }
      : null,
    reviewNotice: grants > 0,
    canPay: paymentBlock(s, c, paid ?? null) === null,
    allowedEvents: allowedEvents(ctx),
    contacts: {
      customerServicePhone: c.customerServicePhone,
      customerServiceHours: c.customerServiceHours,
      registrarContact: c.registrarContact,
      paymentContact: c.paymentContact,
    },
  };
}

/**
 * Why the graduate cannot pay now, or null when they can: only at the payment step, never for a
 * school-paid campaign, and after a full refund only when the school allows paying again.
 */
export function paymentBlock(
  s: { state: string; freeRetakesLeft: number },
  c: { schoolPaid: boolean; feeFen: number; retakePolicy: string; repayAfterRefund: boolean },
  latestPaidOrder: { status: string } | null,
): "NOT_AT_PAYMENT" | "SCHOOL_PAID" | "REFUNDED" | null {
  const atPayment = s.state === "CODE_BOUND" || (s.state === "REJECTED" && s.freeRetakesLeft === 0 && c.retakePolicy === "PAY_AGAIN");
  if (!atPayment) return "NOT_AT_PAYMENT";
  if (c.schoolPaid || c.feeFen === 0) return "SCHOOL_PAID";
  if (latestPaidOrder?.status === "REFUNDED" && !c.repayAfterRefund) return "REFUNDED";
  return null;
}
