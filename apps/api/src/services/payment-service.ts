import { randomBytes } from "node:crypto";
import type { Prisma } from "@gradphoto/db";
import type { RefundResource, TransactionResource, Transaction } from "@gradphoto/wechat";
import type { AppDeps } from "../context.js";
import { audit } from "../lib/audit.js";
import { applyEvent, lockSubmission } from "./transitions.js";

/** out_trade_no: 6–32 of [A-Za-z0-9]; time-sortable and unguessable. */
export function newOutTradeNo(prefix = "GP"): string {
  return `${prefix}${Date.now().toString(36).toUpperCase()}${randomBytes(6).toString("hex").toUpperCase()}`;
}

type Paid = Pick<TransactionResource | Transaction, "out_trade_no" | "transaction_id" | "trade_state" | "amount" | "payer" | "success_time"> & { mchid?: string; appid?: string };

export type PaymentOutcome = "recorded" | "duplicate" | "amount_mismatch" | "unknown_order" | "not_success" | "anomaly";

/**
 * What of a transaction we keep in `payments.raw`: what reconciliation with WeChat Pay's bill needs,
 * not the payer's openid (personal data we never need again: refunds go by transaction id).
 */
export function reconciliationRecord(t: Paid): Prisma.InputJsonValue {
  const r = t as Paid & { trade_type?: string; bank_type?: string; attach?: string };
  return {
    mchid: r.mchid ?? null,
    appid: r.appid ?? null,
    out_trade_no: r.out_trade_no,
    transaction_id: r.transaction_id ?? null,
    trade_type: r.trade_type ?? null,
    trade_state: r.trade_state,
    bank_type: r.bank_type ?? null,
    attach: r.attach ?? null,
    success_time: r.success_time ?? null,
    amount: (r.amount ?? null) as Prisma.InputJsonValue,
  } as Prisma.InputJsonValue;
}

/**
 * Records a successful payment exactly once (idempotent by transaction_id) and moves the submission
 * to PAID in the same transaction. Checks merchant, app id, order and amount. A different transaction
 * for an order no longer awaiting payment (PAID, REFUNDED, CLOSED, …) is kept for reconciliation with
 * its anomaly and an audit entry, and flagged to staff — never credited, and the order keeps its state;
 * so is a payment of a second order of a submission that another order has already paid (that order
 * is closed here).
 */
export async function recordPayment(deps: AppDeps, t: Paid): Promise<PaymentOutcome> {
  if (t.trade_state !== "SUCCESS" || !t.transaction_id) return "not_success";
  const pay = deps.wechat.pay;
  if (pay && ((t.mchid && t.mchid !== pay.mchId) || (t.appid && t.appid !== pay.appId))) return "unknown_order";
  return deps.db.$transaction(async (tx) => {
    const rows = await tx.$queryRaw<Array<{ id: string; submission_id: string }>>`SELECT id, submission_id FROM "orders" WHERE out_trade_no = ${t.out_trade_no} FOR UPDATE`;
    if (rows.length === 0) return "unknown_order";
    // two orders' payments at once must see each other: the submission row serialises them
    await lockSubmission(tx, rows[0]!.submission_id);
    const order = await tx.order.findUniqueOrThrow({ where: { id: rows[0]!.id }, include: { submission: { include: { campaign: true } } } });
    if (await tx.payment.findUnique({ where: { transactionId: t.transaction_id! } })) return "duplicate";
    const total = t.amount?.total ?? t.amount?.payer_total;
    const successTime = t.success_time ? new Date(t.success_time) : new Date();
    // money for a submission that another order has already paid (two orders both paid, e.g. an old
    // one in its last minute beside its replacement) is a second charge: kept for staff, never credited
    const otherPaid = order.status === "CREATED"
      ? await tx.order.findFirst({ where: { submissionId: order.submissionId, id: { not: order.id }, status: { in: ["PAID", "REFUNDING", "PARTIALLY_REFUNDED"] } }, select: { outTradeNo: true } })
      : null;
    if (order.status !== "CREATED" || otherPaid) {
      const anomaly = otherPaid ? "SUBMISSION_ALREADY_PAID" : `ORDER_${order.status}`;
      await tx.payment.create({
        data: { orderId: order.id, transactionId: t.transaction_id!, amountFen: total ?? 0, payerOpenid: t.payer?.openid ?? "", tradeState: t.trade_state, successTime, raw: reconciliationRecord(t), anomaly },
      });
      await audit(tx, {
        actorType: "SYSTEM",
        schoolId: order.submission.campaign.schoolId,
        action: "payment.unexpected",
        targetType: "order",
        targetId: order.id,
        before: { status: order.status },
        after: { anomaly, transactionId: t.transaction_id!, amountFen: total ?? null, ...(otherPaid ? { paidOrder: otherPaid.outTradeNo } : {}) },
      });
      // the duplicate order can take no more money here; WeChat Pay still holds this payment for a refund
      if (otherPaid) await tx.order.update({ where: { id: order.id }, data: { status: "CLOSED" } });
      return "anomaly";
    }
    if (total !== order.amountFen) {
      await audit(tx, { actorType: "SYSTEM", schoolId: order.submission.campaign.schoolId, action: "payment.amount_mismatch", targetType: "order", targetId: order.id, after: { expected: order.amountFen, got: total ?? null } });
      return "amount_mismatch";
    }
    await tx.payment.create({
      data: {
        orderId: order.id,
        transactionId: t.transaction_id!,
        amountFen: total,
        payerOpenid: t.payer?.openid ?? "",
        tradeState: t.trade_state,
        successTime,
        raw: reconciliationRecord(t),
      },
    });
    await tx.order.update({ where: { id: order.id }, data: { status: "PAID", paidAt: successTime } });
    const state = order.submission.state;
    if (state === "CODE_BOUND" || state === "REJECTED") {
      await applyEvent(tx, order.submissionId, { type: "PAYMENT_CONFIRMED" }, { type: "SYSTEM" }, state === "REJECTED" ? { freeRetakesLeft: 0, currentPhotoId: null, submittedPhotoId: null } : {});
    }
    return "recorded";
  });
}

/** Row lock on an order, in the caller's transaction (refund requests and refund results take it). */
export async function lockOrder(tx: Prisma.TransactionClient, orderId: string): Promise<void> {
  await tx.$queryRaw`SELECT id FROM "orders" WHERE id = ${orderId}::uuid FOR UPDATE`;
}

/** Applies a refund result (notify or query) once; a full refund before submission reopens payment. */
export async function recordRefund(deps: AppDeps, r: Pick<RefundResource, "out_refund_no" | "refund_id" | "refund_status" | "amount" | "success_time">): Promise<"recorded" | "duplicate" | "unknown_refund"> {
  return deps.db.$transaction(async (tx) => {
    const rows = await tx.$queryRaw<Array<{ id: string; order_id: string }>>`SELECT id, order_id FROM "refunds" WHERE out_refund_no = ${r.out_refund_no} FOR UPDATE`;
    if (rows.length === 0) return "unknown_refund";
    // results of two refunds of one order (possible only if two were ever under way at once) must see
    // each other's SUCCESS, or neither would find the order fully refunded: the order row serialises
    // them, as it does refund requests
    await lockOrder(tx, rows[0]!.order_id);
    const refund = await tx.refund.findUniqueOrThrow({ where: { id: rows[0]!.id }, include: { order: { include: { refunds: true, submission: true } } } });
    const status = r.refund_status === "SUCCESS" ? "SUCCESS" : r.refund_status === "CLOSED" ? "CLOSED" : r.refund_status === "ABNORMAL" ? "ABNORMAL" : "PROCESSING";
    if (refund.status === status) return "duplicate";
    await tx.refund.update({ where: { id: refund.id }, data: { status, refundId: r.refund_id ?? refund.refundId, succeededAt: status === "SUCCESS" ? (r.success_time ? new Date(r.success_time) : new Date()) : null } });
    if (status === "SUCCESS") {
      const refunded = refund.order.refunds.filter((x) => x.id === refund.id || x.status === "SUCCESS").reduce((n, x) => n + x.amountFen, 0);
      const full = refunded >= refund.order.amountFen;
      await tx.order.update({ where: { id: refund.orderId }, data: { status: full ? "REFUNDED" : "PARTIALLY_REFUNDED" } });
      if (full) await applyEvent(tx, refund.order.submissionId, { type: "PAYMENT_REFUNDED" }, { type: "SYSTEM" });
    } else if ((status === "CLOSED" || status === "ABNORMAL") && refund.order.status === "REFUNDING" && !refund.order.refunds.some((x) => x.id !== refund.id && x.status === "PROCESSING")) {
      // the refund did not happen: the order is no longer 退款中, but paid (less what was refunded before)
      const refunded = refund.order.refunds.filter((x) => x.id !== refund.id && x.status === "SUCCESS").reduce((n, x) => n + x.amountFen, 0);
      await tx.order.update({ where: { id: refund.orderId }, data: { status: refunded > 0 ? "PARTIALLY_REFUNDED" : "PAID" } });
    }
    return "recorded";
  });
}
