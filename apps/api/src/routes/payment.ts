import type { FastifyPluginAsyncZod } from "fastify-type-provider-zod";
import { z } from "zod";
import { ApiErrorSchema, CreateOrderResponseSchema, OrderStatusResponseSchema } from "@gradphoto/contracts";
import { isWechatError } from "@gradphoto/wechat";
import { AppError } from "../lib/errors.js";
import { ownSubmission } from "../lib/ownership.js";
import { graduateOf } from "../plugins/auth.js";
import { paymentBlock, submissionView } from "../services/submission-view.js";
import { newOutTradeNo } from "../services/payment-service.js";
import { reconcileOrder, reconcileOrderJob, StillPendingError } from "../jobs/payments.js";
import { assertConsentCurrent } from "./photos.js";
import { lockSubmission } from "../services/transitions.js";

const Params = z.object({ id: z.string().uuid() });
const bearer = [{ bearer: [] }];
const ORDER_TTL_MS = 30 * 60_000;

function orderView(o: { id: string; outTradeNo: string; amountFen: number; status: "CREATED" | "PAID" | "CLOSED" | "REFUNDING" | "PARTIALLY_REFUNDED" | "REFUNDED"; expiresAt: Date; paidAt: Date | null }) {
  return { id: o.id, outTradeNo: o.outTradeNo, amountFen: o.amountFen, status: o.status, expiresAt: o.expiresAt.toISOString(), paidAt: o.paidAt?.toISOString() ?? null };
}

/** 费用支付: a WeChat Pay JSAPI order and the signed parameters for wx.requestPayment. */
export const paymentRoutes: FastifyPluginAsyncZod = async (app) => {
  const { db } = app.deps;

  app.post(
    "/api/submissions/:id/orders",
    {
      config: { auth: "graduate", subjectRateLimit: { max: 10, timeWindow: "1 minute" } },
      schema: { tags: ["graduate"], summary: "Create (or reuse) the WeChat Pay order for the campaign fee", security: bearer, params: Params, response: { 200: CreateOrderResponseSchema, 404: ApiErrorSchema, 409: ApiErrorSchema, 503: ApiErrorSchema } },
    },
    async (req) => {
      const s = await ownSubmission(db, req, req.params.id);
      assertConsentCurrent(s);
      const c = s.campaign;
      const contact = c.paymentContact;
      const pay = app.deps.wechat.pay;
      const user = await db.wechatUser.findUniqueOrThrow({ where: { id: graduateOf(req).wechatUserId } });
      // One payable order per submission, whatever the taps: the submission row is locked while the
      // order is chosen, so concurrent requests (a double tap, a second device) get the same order.
      let order = await db.$transaction(async (tx) => {
        await lockSubmission(tx, s.id);
        const locked = await tx.submission.findUniqueOrThrow({ where: { id: s.id } });
        const lastPaid = await tx.order.findFirst({ where: { submissionId: s.id, status: { in: ["PAID", "REFUNDING", "PARTIALLY_REFUNDED", "REFUNDED"] } }, orderBy: { createdAt: "desc" } });
        const block = paymentBlock(locked, c, lastPaid);
        if (block === "NOT_AT_PAYMENT") throw new AppError(409, "PAYMENT_NOT_NEEDED", "当前无需支付", { state: locked.state });
        if (block === "SCHOOL_PAID") throw new AppError(409, "PAYMENT_NOT_NEEDED", "本次采集费用由学校统一支付，无需个人支付");
        if (block === "REFUNDED") throw new AppError(409, "REFUNDED_NO_REPAY", `本次采集费用已退款，不能再次支付。如需继续采集，请联系：${contact}`);
        if (!pay) throw new AppError(503, "PAYMENT_UNAVAILABLE", `微信支付暂不可用，请稍后再试。支付问题请联系：${contact}`);
        // Reuse a still-payable order so a double tap or a cancelled payment does not create a second
        // charge; one whose prepay failed is retried under its own out_trade_no (WeChat Pay answers a
        // repeated identical order with the same prepay_id).
        const reusable = await tx.order.findFirst({ where: { submissionId: s.id, status: "CREATED", expiresAt: { gt: new Date(Date.now() + 60_000) } }, orderBy: { createdAt: "desc" } });
        if (reusable) return reusable;
        return tx.order.create({
          data: { submissionId: s.id, outTradeNo: newOutTradeNo(), amountFen: c.feeFen, description: `${c.name}-照片采集费`.slice(0, 127), expiresAt: new Date(Date.now() + ORDER_TTL_MS) },
        });
      });
      try {
        if (!order.prepayId) {
          const prepayId = await pay!.createJsapiOrder({ outTradeNo: order.outTradeNo, description: order.description, amountFen: order.amountFen, payerOpenid: user.openid, expiresAt: order.expiresAt, attach: s.id });
          order = await db.order.update({ where: { id: order.id }, data: { prepayId } });
          await app.deps.jobs?.send(reconcileOrderJob, { outTradeNo: order.outTradeNo }, { singletonKey: order.outTradeNo, startAfterSeconds: 60 });
        }
        return { order: orderView(order), payment: pay!.requestPaymentParams(order.prepayId!), paymentContact: contact };
      } catch (e) {
        if (isWechatError(e)) throw new AppError(503, e.code, `${e.message}支付问题请联系：${contact}`);
        throw e;
      }
    },
  );

  app.get(
    "/api/submissions/:id/orders/current",
    {
      config: { auth: "graduate" },
      schema: { tags: ["graduate"], summary: "Payment status after wx.requestPayment returns (asks WeChat Pay when still pending)", security: bearer, params: Params, response: { 200: OrderStatusResponseSchema, 404: ApiErrorSchema } },
    },
    async (req) => {
      const s = await ownSubmission(db, req, req.params.id);
      let order = await db.order.findFirst({ where: { submissionId: s.id }, orderBy: { createdAt: "desc" } });
      if (order?.status === "CREATED" && app.deps.wechat.pay) {
        // The notify may lag behind the client: ask WeChat Pay directly.
        await reconcileOrder(app.deps, { outTradeNo: order.outTradeNo }).catch((e: unknown) => {
          if (!(e instanceof StillPendingError) && !isWechatError(e)) throw e;
        });
        order = await db.order.findUniqueOrThrow({ where: { id: order.id } });
      }
      return { order: order ? orderView(order) : null, submission: await submissionView(db, s.id), paymentContact: s.campaign.paymentContact };
    },
  );
};
