import type { FastifyPluginAsync } from "fastify";
import { isWechatError } from "@gradphoto/wechat";
import { recordPayment, recordRefund } from "../services/payment-service.js";
import { audit } from "../lib/audit.js";

/**
 * WeChat Pay notify callbacks (payment and refund). The signature is verified over the raw body
 * (platform certificate or 微信支付公钥), stale timestamps are refused, the resource is decrypted with
 * the APIv3 key, and processing is idempotent by transaction id / refund number. Answers are in
 * WeChat's format: 200 {code:"SUCCESS"} or 4xx/5xx {code:"FAIL",message}.
 */
export const payNotifyRoutes: FastifyPluginAsync = async (app) => {
  // Keep the body as received: the signature covers the exact bytes.
  app.addContentTypeParser("application/json", { parseAs: "string", bodyLimit: 64 * 1024 }, (_req, body, done) => done(null, body));

  app.post("/api/pay/notify", { config: { auth: "public", rateLimit: { max: 600, timeWindow: "1 minute" } }, schema: { hide: true } }, async (req, reply) => {
    const pay = app.deps.wechat.pay;
    if (!pay) return reply.status(503).send({ code: "FAIL", message: "payment not configured" });
    let verified;
    try {
      verified = pay.verifyAndDecryptNotify({ headers: req.headers, rawBody: typeof req.body === "string" ? req.body : "" });
    } catch (e) {
      // Forged, tampered or stale: refuse without touching any state.
      req.log.warn({ code: isWechatError(e) ? e.code : "UNKNOWN" }, "pay notify rejected");
      await audit(app.deps.db, { actorType: "SYSTEM", action: "payment.notify_rejected", targetType: "notify", after: { code: isWechatError(e) ? e.code : "UNKNOWN" }, ip: req.ip });
      return reply.status(401).send(pay.notifyFail("signature verification failed"));
    }
    if (verified.kind === "transaction") {
      const outcome = await recordPayment(app.deps, verified.resource);
      // "anomaly": kept for reconciliation and flagged to staff; acknowledged so WeChat stops resending.
      if (outcome === "anomaly") req.log.warn({ outcome, notifyId: verified.id, outTradeNo: verified.resource.out_trade_no }, "payment for an order no longer awaiting payment");
      else req.log.info({ outcome, notifyId: verified.id }, "pay notify processed");
      if (outcome === "amount_mismatch" || outcome === "unknown_order") return reply.status(400).send(pay.notifyFail(outcome));
      return reply.send(pay.notifyAck());
    }
    const outcome = await recordRefund(app.deps, verified.resource);
    req.log.info({ outcome, notifyId: verified.id }, "refund notify processed");
    if (outcome === "unknown_refund") return reply.status(400).send(pay.notifyFail(outcome));
    return reply.send(pay.notifyAck());
  });
};
