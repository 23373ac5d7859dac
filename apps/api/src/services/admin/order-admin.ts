import type { Prisma } from "@gradphoto/db";
import { RECONCILIATION_LABELS, type OrderAdmin } from "@gradphoto/contracts";

export const orderAdminInclude = {
  payments: true,
  refunds: { include: { staffUser: { select: { displayName: true } } }, orderBy: { createdAt: "asc" } },
  submission: { include: { campaign: { select: { id: true, name: true, schoolId: true } }, rosterEntry: { select: { name: true, uniqueNumber: true, college: true } } } },
} satisfies Prisma.OrderInclude;

export type OrderRow = Prisma.OrderGetPayload<{ include: typeof orderAdminInclude }>;

/**
 * Our order against the payment records WeChat Pay sent us: a paid order needs exactly its amount in
 * successful payments; an unpaid order past its expiry without a query needs one; refunds in progress or
 * abnormal are flagged.
 */
export interface ReconcilableOrder {
  status: OrderRow["status"];
  amountFen: number;
  expiresAt: Date;
  paidAt: Date | null;
  lastQueriedAt: Date | null;
  payments: Array<{ amountFen: number; tradeState: string; anomaly: string | null; anomalyResolvedAt: Date | null }>;
  refunds: Array<{ amountFen: number; status: OrderRow["refunds"][number]["status"] }>;
}

/** Successful payments credited to the order (not the anomalies kept for reconciliation). */
export function creditedFen(payments: Array<{ amountFen: number; tradeState: string; anomaly: string | null }>): number {
  return payments.filter((p) => p.tradeState === "SUCCESS" && p.anomaly === null).reduce((n, p) => n + p.amountFen, 0);
}

export function reconciliationOf(o: ReconcilableOrder, now = new Date()): OrderAdmin["reconciliation"] {
  // A payment we did not credit (a second transaction for an order no longer awaiting payment) is money
  // the payer lost until staff refund it: it outranks every other state.
  if (o.payments.some((p) => p.anomaly !== null && p.anomalyResolvedAt === null)) return "UNEXPECTED_PAYMENT";
  const paid = creditedFen(o.payments);
  if (o.refunds.some((r) => r.status === "ABNORMAL")) return "REFUND_ABNORMAL";
  if (o.status === "REFUNDING" || o.refunds.some((r) => r.status === "PROCESSING")) return "REFUNDING";
  if (o.status === "CREATED") {
    if (paid > 0) return "MISMATCH";
    return o.expiresAt < now && (!o.lastQueriedAt || o.lastQueriedAt < o.expiresAt) ? "NEEDS_QUERY" : "AWAITING_PAYMENT";
  }
  if (o.status === "CLOSED") return paid > 0 ? "MISMATCH" : "CLOSED";
  // PAID, PARTIALLY_REFUNDED, REFUNDED: the money must have arrived, in full.
  if (paid !== o.amountFen || !o.paidAt) return "MISMATCH";
  const refunded = o.refunds.filter((r) => r.status === "SUCCESS").reduce((n, r) => n + r.amountFen, 0);
  if (o.status === "REFUNDED" && refunded !== o.amountFen) return "MISMATCH";
  if (o.status === "PARTIALLY_REFUNDED" && (refunded <= 0 || refunded >= o.amountFen)) return "MISMATCH";
  return "MATCHED";
}

export function orderAdmin(o: OrderRow, now = new Date()): OrderAdmin {
  const paidFen = creditedFen(o.payments);
  const refundedFen = o.refunds.filter((r) => r.status === "SUCCESS").reduce((n, r) => n + r.amountFen, 0);
  const committed = o.refunds.filter((r) => r.status !== "CLOSED" && r.status !== "ABNORMAL").reduce((n, r) => n + r.amountFen, 0);
  const rec = reconciliationOf(o, now);
  const r = o.submission.rosterEntry;
  return {
    id: o.id,
    outTradeNo: o.outTradeNo,
    description: o.description,
    amountFen: o.amountFen,
    status: o.status,
    createdAt: o.createdAt.toISOString(),
    expiresAt: o.expiresAt.toISOString(),
    paidAt: o.paidAt?.toISOString() ?? null,
    lastQueriedAt: o.lastQueriedAt?.toISOString() ?? null,
    submissionId: o.submissionId,
    campaignId: o.submission.campaign.id,
    campaignName: o.submission.campaign.name,
    graduate: r ? { name: r.name, uniqueNumber: r.uniqueNumber, college: r.college } : null,
    paidFen,
    refundedFen,
    refundableFen: o.status === "PAID" || o.status === "PARTIALLY_REFUNDED" ? Math.max(0, o.amountFen - committed) : 0,
    payments: o.payments.map((p) => ({ transactionId: p.transactionId, amountFen: p.amountFen, tradeState: p.tradeState, successTime: p.successTime.toISOString(), anomaly: p.anomaly, anomalyResolvedAt: p.anomalyResolvedAt?.toISOString() ?? null, anomalyNote: p.anomalyNote })),
    refunds: o.refunds.map((x) => ({
      id: x.id,
      outRefundNo: x.outRefundNo,
      amountFen: x.amountFen,
      status: x.status,
      reason: x.reason,
      staffName: x.staffUser?.displayName ?? null,
      createdAt: x.createdAt.toISOString(),
      succeededAt: x.succeededAt?.toISOString() ?? null,
    })),
    reconciliation: rec,
    reconciliationLabel: RECONCILIATION_LABELS[rec],
  };
}
