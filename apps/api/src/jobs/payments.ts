import { z } from "zod";
import { defineJob } from "@gradphoto/jobs";
import type { AppDeps } from "../context.js";
import { isWechatError } from "@gradphoto/wechat";
import { recordPayment, recordRefund } from "../services/payment-service.js";

/**
 * Reconciles one pending order with WeChat Pay (the notify may never arrive). A still-unpaid order
 * throws so pg-boss retries it with backoff; an expired one is closed.
 */
export const reconcileOrderJob = defineJob({
  name: "payment.reconcile-order",
  schema: z.object({ outTradeNo: z.string().min(6).max(32) }),
  retryLimit: 12,
  retryDelay: 30,
  retryBackoff: true,
  expireInSeconds: 15,
});

export class StillPendingError extends Error {}

export async function reconcileOrder(deps: AppDeps, { outTradeNo }: { outTradeNo: string }): Promise<void> {
  const pay = deps.wechat.pay;
  const order = await deps.db.order.findUnique({ where: { outTradeNo } });
  if (!pay || !order || order.status !== "CREATED") return;
  const t = await pay.queryOrder(outTradeNo);
  await deps.db.order.update({ where: { id: order.id }, data: { lastQueriedAt: new Date() } });
  if (t.trade_state === "SUCCESS") {
    await recordPayment(deps, t);
    return;
  }
  // closed only while still CREATED: a notify recorded meanwhile keeps the order PAID
  const closeHere = () => deps.db.order.updateMany({ where: { id: order.id, status: "CREATED" }, data: { status: "CLOSED" } });
  if (t.trade_state === "CLOSED" || t.trade_state === "REVOKED" || t.trade_state === "PAYERROR") {
    await closeHere();
    return;
  }
  if (order.expiresAt.getTime() < Date.now()) {
    try {
      await pay.closeOrder(outTradeNo);
    } catch {
      // paid between the query and the close (ORDERPAID), or WeChat Pay unreachable: ask again, and
      // never close here an order the payer may have paid
      const again = await pay.queryOrder(outTradeNo);
      if (again.trade_state === "SUCCESS") {
        await recordPayment(deps, again);
        return;
      }
      if (again.trade_state !== "CLOSED") throw new StillPendingError(`order ${outTradeNo} could not be closed (${again.trade_state})`);
    }
    await closeHere();
    return;
  }
  throw new StillPendingError(`order ${outTradeNo} still ${t.trade_state}`);
}

/**
 * Finds out what became of a refund whose request got no usable answer (a timeout or a WeChat Pay
 * server error: WeChat Pay may have accepted it). Until then the refund stays 处理中 and counts
 * against the order, so nobody can refund the same money again. A refund WeChat Pay never received is
 * closed, and its amount can be refunded again; one still processing is asked about again later.
 */
export const reconcileRefundJob = defineJob({
  name: "payment.reconcile-refund",
  schema: z.object({ outRefundNo: z.string().min(6).max(64) }),
  retryLimit: 12,
  retryDelay: 30,
  retryBackoff: true,
  expireInSeconds: 15,
});

export async function reconcileRefund(deps: AppDeps, { outRefundNo }: { outRefundNo: string }): Promise<void> {
  const pay = deps.wechat.pay;
  const refund = await deps.db.refund.findUnique({ where: { outRefundNo } });
  if (!pay || !refund || refund.status !== "PROCESSING") return;
  let r: Awaited<ReturnType<typeof pay.queryRefund>>;
  try {
    r = await pay.queryRefund(outRefundNo);
  } catch (e) {
    if (isWechatError(e) && e.code === "WXPAY_ORDER_NOT_FOUND") {
      // WeChat Pay never received it: no money left, and the amount may be refunded again
      await recordRefund(deps, { out_refund_no: outRefundNo, refund_status: "CLOSED" } as Parameters<typeof recordRefund>[1]);
      return;
    }
    throw e;
  }
  await recordRefund(deps, { out_refund_no: outRefundNo, refund_id: r.refund_id, refund_status: r.status, amount: r.amount, success_time: r.success_time } as Parameters<typeof recordRefund>[1]);
  if (r.status === "PROCESSING") throw new StillPendingError(`refund ${outRefundNo} still PROCESSING`);
}
