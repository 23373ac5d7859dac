import { z } from "zod";
import { defineJob } from "@gradphoto/jobs";
import type { AppDeps } from "../context.js";
import { recordPayment } from "../services/payment-service.js";

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
  if (t.trade_state === "CLOSED" || t.trade_state === "REVOKED" || t.trade_state === "PAYERROR") {
    await deps.db.order.update({ where: { id: order.id }, data: { status: "CLOSED" } });
    return;
  }
  if (order.expiresAt.getTime() < Date.now()) {
    await pay.closeOrder(outTradeNo).catch(() => undefined);
    await deps.db.order.update({ where: { id: order.id }, data: { status: "CLOSED" } });
    return;
  }
  throw new StillPendingError(`order ${outTradeNo} still ${t.trade_state}`);
}
