import { beforeAll, describe, expect, it } from "vitest";
import { WechatPayClient } from "@gradphoto/wechat";
import { reconcileOrder, reconcileRefund, StillPendingError } from "../src/jobs/payments.js";
import { startJourney, toPhotoStep, type Journey } from "./journey-harness.js";

let j: Journey;
beforeAll(async () => {
  j = await startJourney();
}, 180_000);

/** A graduate at the payment step with a created (unpaid) order. */
async function pendingOrder() {
  const campaignId = await j.campaign();
  const entry = await j.rosterEntry(campaignId, null);
  const g = await toPhotoStep(j, campaignId, entry, { pay: false });
  const o = await j.call("POST", `/api/submissions/${g.submissionId}/orders`, { token: g.token });
  expect(o.status).toBe(200);
  expect(o.body.payment).toMatchObject({ signType: "RSA", package: expect.stringMatching(/^prepay_id=/) });
  return { ...g, outTradeNo: o.body.order.outTradeNo as string };
}

async function state(submissionId: string) {
  const s = await j.deps.db.submission.findUniqueOrThrow({ where: { id: submissionId } });
  const payments = await j.deps.db.payment.count({ where: { order: { submissionId } } });
  return { state: s.state, payments };
}

describe("WeChat Pay notify callbacks", () => {
  it("forged, tampered, stale and unknown-serial callbacks are rejected with no state change", async () => {
    const g = await pendingOrder();
    await j.fake.pay.payOrder(g.outTradeNo, { notify: false });
    const genuine = j.fake.pay.transactionNotify(g.outTradeNo);
    for (const bad of [j.fake.pay.forged(genuine), j.fake.pay.tampered(genuine), j.fake.pay.stale(genuine), j.fake.pay.withUnknownSerial(genuine)]) {
      const d = await j.fake.pay.deliver(bad, `${j.url}/api/pay/notify`);
      expect(d.status).toBe(401);
      expect(JSON.parse(d.body)).toMatchObject({ code: "FAIL" });
    }
    expect(await state(g.submissionId)).toEqual({ state: "CODE_BOUND", payments: 0 });
    const rejected = await j.deps.db.auditLog.count({ where: { action: "payment.notify_rejected" } });
    expect(rejected).toBeGreaterThanOrEqual(4);
    // the genuine one goes through, a replay is acknowledged but processed once
    expect((await j.fake.pay.deliver(genuine, `${j.url}/api/pay/notify`)).status).toBe(200);
    const replay = await j.fake.pay.deliver(genuine, `${j.url}/api/pay/notify`);
    expect(replay.status).toBe(200);
    expect(JSON.parse(replay.body)).toMatchObject({ code: "SUCCESS" });
    expect(await state(g.submissionId)).toEqual({ state: "PAID", payments: 1 });
  });

  it("verifies in 微信支付公钥 mode as well as platform-certificate mode", async () => {
    const g = await pendingOrder();
    const certOnly = j.deps.wechat.pay!;
    j.deps.wechat.pay = new WechatPayClient(j.fake.pay.clientOptions({ notifyUrl: `${j.url}/api/pay/notify`, mode: "publicKey" }));
    try {
      await j.fake.pay.payOrder(g.outTradeNo, { notify: false });
      const n = j.fake.pay.transactionNotify(g.outTradeNo, { mode: "publicKey" });
      expect(n.headers["Wechatpay-Serial"] ?? n.headers["wechatpay-serial"]).toMatch(/^PUB_KEY_ID_/);
      expect((await j.fake.pay.deliver(n, `${j.url}/api/pay/notify`)).status).toBe(200);
      expect(await state(g.submissionId)).toEqual({ state: "PAID", payments: 1 });
    } finally {
      j.deps.wechat.pay = certOnly;
    }
  });

  it("a payment whose notify never arrives is found by querying the order", async () => {
    const g = await pendingOrder();
    await j.fake.pay.payOrder(g.outTradeNo, { notify: false });
    const r = await j.call("GET", `/api/submissions/${g.submissionId}/orders/current`, { token: g.token });
    expect(r.body.order.status).toBe("PAID");
    expect(r.body.submission.state).toBe("PAID");
  });

  it("a double tap reuses the unpaid order instead of creating a second charge", async () => {
    const g = await pendingOrder();
    const again = await j.call("POST", `/api/submissions/${g.submissionId}/orders`, { token: g.token });
    expect(again.body.order.outTradeNo).toBe(g.outTradeNo);
    expect(await j.deps.db.order.count({ where: { submissionId: g.submissionId } })).toBe(1);
  });

  it("taps at the same moment (a double tap, a second device) get one order and one prepay_id", async () => {
    const campaignId = await j.campaign();
    const g = await toPhotoStep(j, campaignId, await j.rosterEntry(campaignId, null), { pay: false });
    const taps = await Promise.all(Array.from({ length: 5 }, () => j.call("POST", `/api/submissions/${g.submissionId}/orders`, { token: g.token })));
    expect(taps.map((r) => r.status)).toEqual([200, 200, 200, 200, 200]);
    expect(new Set(taps.map((r) => r.body.order.outTradeNo)).size).toBe(1);
    expect(new Set(taps.map((r) => r.body.payment.package)).size).toBe(1);
    expect(await j.deps.db.order.count({ where: { submissionId: g.submissionId } })).toBe(1);
  });

  it("an order whose prepay call failed is retried under its own out_trade_no, not replaced", async () => {
    const campaignId = await j.campaign();
    const g = await toPhotoStep(j, campaignId, await j.rosterEntry(campaignId, null), { pay: false });
    j.fake.pay.failNext(1, { status: 500, code: "SYSTEM_ERROR", message: "系统错误" });
    const failed = await j.call("POST", `/api/submissions/${g.submissionId}/orders`, { token: g.token });
    expect(failed.status).toBe(503);
    expect(failed.body.message).toMatch(/支付问题请联系/);
    const first = await j.deps.db.order.findFirstOrThrow({ where: { submissionId: g.submissionId } });
    expect(first.prepayId).toBeNull();
    const retried = await j.call("POST", `/api/submissions/${g.submissionId}/orders`, { token: g.token });
    expect(retried.status).toBe(200);
    expect(retried.body.order.outTradeNo).toBe(first.outTradeNo);
    expect(await j.deps.db.order.count({ where: { submissionId: g.submissionId } })).toBe(1);
    expect((await j.fake.pay.payOrder(first.outTradeNo, { url: `${j.url}/api/pay/notify` })).delivery?.status).toBe(200);
    expect(await state(g.submissionId)).toEqual({ state: "PAID", payments: 1 });
  });
});

/**
 * A second, different transaction for the same out_trade_no, signed with the platform key and
 * encrypted with the APIv3 key exactly as WeChat Pay sends notifies (what a separately written signer
 * holding the keys, or a payment racing a close, produces).
 */
function anotherTransaction(outTradeNo: string) {
  const o = j.fake.pay.orders.get(outTradeNo)!;
  const transactionId = `42000${String(Date.now()).padStart(23, "7")}`;
  const resource = {
    mchid: o.mchid,
    appid: o.appid,
    out_trade_no: o.outTradeNo,
    transaction_id: transactionId,
    trade_type: "JSAPI",
    trade_state: "SUCCESS",
    trade_state_desc: "支付成功",
    bank_type: "OTHERS",
    attach: o.attach ?? "",
    success_time: new Date().toISOString().replace(/\.\d+Z$/, "+00:00"),
    payer: { openid: o.payerOpenid },
    amount: { total: o.total, payer_total: o.total, currency: "CNY", payer_currency: "CNY" },
  };
  return { transactionId, notify: j.fake.pay.buildNotify({ eventType: "TRANSACTION.SUCCESS", originalType: "transaction", summary: "支付成功", resource, url: `${j.url}/api/pay/notify` }) };
}

async function snapshot(submissionId: string, orderId: string) {
  const [s, o, payments] = await Promise.all([
    j.deps.db.submission.findUniqueOrThrow({ where: { id: submissionId } }),
    j.deps.db.order.findUniqueOrThrow({ where: { id: orderId } }),
    j.deps.db.payment.findMany({ where: { orderId }, orderBy: { createdAt: "asc" } }),
  ]);
  return { state: s.state, version: s.version, order: o.status, paidAt: o.paidAt?.toISOString() ?? null, payments };
}

describe("payment state machine: a payment for an order no longer awaiting payment", () => {
  async function paidOrder() {
    const g = await pendingOrder();
    const paid = await j.fake.pay.payOrder(g.outTradeNo, { url: `${j.url}/api/pay/notify` });
    expect(paid.delivery?.status).toBe(200);
    const order = await j.deps.db.order.findUniqueOrThrow({ where: { outTradeNo: g.outTradeNo } });
    return { ...g, orderId: order.id };
  }

  async function staffOrder(orderId: string) {
    const admin = await j.staff("CUSTOMER_SERVICE");
    const list = await j.call("GET", "/api/staff/orders?reconciliation=UNEXPECTED_PAYMENT&pageSize=200", { token: admin.token });
    expect(list.status).toBe(200);
    return { item: (list.body.items as Array<{ id: string }>).find((x) => x.id === orderId) as any, summary: list.body.summary };
  }

  it("PAID: a different, validly signed transaction is recorded for reconciliation, flagged to staff and never credited", async () => {
    const g = await paidOrder();
    const before = await snapshot(g.submissionId, g.orderId);
    expect(before).toMatchObject({ state: "PAID", order: "PAID" });
    const { transactionId, notify } = anotherTransaction(g.outTradeNo);
    const d = await j.fake.pay.deliver(notify);
    expect(d.status).toBe(200); // acknowledged: WeChat stops resending, staff take it from here
    expect(JSON.parse(d.body)).toMatchObject({ code: "SUCCESS" });
    const after = await snapshot(g.submissionId, g.orderId);
    expect(after).toMatchObject({ state: "PAID", version: before.version, order: "PAID", paidAt: before.paidAt });
    expect(after.payments.map((p) => [p.transactionId === transactionId, p.anomaly])).toEqual([
      [false, null],
      [true, "ORDER_PAID"],
    ]);
    // a replay of the anomaly adds nothing
    expect((await j.fake.pay.deliver(notify)).status).toBe(200);
    expect((await snapshot(g.submissionId, g.orderId)).payments).toHaveLength(2);
    const flagged = await j.deps.db.auditLog.findMany({ where: { action: "payment.unexpected", targetId: g.orderId } });
    expect(flagged).toHaveLength(1);
    expect(flagged[0]!.after).toMatchObject({ anomaly: "ORDER_PAID", transactionId });
    // the admin's order list: flagged, needs attention, and only the first payment counted as received
    const { item, summary } = await staffOrder(g.orderId);
    expect(item).toMatchObject({ reconciliation: "UNEXPECTED_PAYMENT", paidFen: 2000, refundableFen: 2000 });
    expect(item.payments).toEqual(expect.arrayContaining([expect.objectContaining({ transactionId, anomaly: "ORDER_PAID" })]));
    expect(summary.needsAttention).toBeGreaterThanOrEqual(1);
    // staff refund it in the merchant platform and mark it handled: the order is matched again
    const admin = await j.staff("SCHOOL_ADMIN");
    const resolved = await j.call("POST", `/api/staff/orders/${g.orderId}/payments/${transactionId}/resolve`, { token: admin.token, body: { note: "已在商户平台原路退款" } });
    expect(resolved.status).toBe(200);
    expect(resolved.body).toMatchObject({ reconciliation: "MATCHED", paidFen: 2000 });
    expect(resolved.body.payments).toEqual(expect.arrayContaining([expect.objectContaining({ transactionId, anomaly: "ORDER_PAID", anomalyNote: "已在商户平台原路退款" })]));
    const again = await j.call("POST", `/api/staff/orders/${g.orderId}/payments/${transactionId}/resolve`, { token: admin.token, body: { note: "再次处理" } });
    expect(again).toMatchObject({ status: 409, body: { code: "PAYMENT_NOT_FLAGGED" } });
    expect(await j.deps.db.auditLog.count({ where: { action: "payment.anomaly_resolved", targetId: g.orderId } })).toBe(1);
  });

  it("REFUNDED: a later transaction does not flip the order or the graduate back to PAID", async () => {
    const g = await paidOrder();
    const admin = await j.staff("SCHOOL_ADMIN");
    const r = await j.call("POST", `/api/staff/orders/${g.orderId}/refunds`, { token: admin.token, body: { reason: "毕业生申请退款" } });
    expect(r.status).toBe(200);
    expect((await j.fake.pay.completeRefund(r.body.outRefundNo)).delivery?.status).toBe(200);
    const before = await snapshot(g.submissionId, g.orderId);
    expect(before).toMatchObject({ state: "CODE_BOUND", order: "REFUNDED" });
    const { notify } = anotherTransaction(g.outTradeNo);
    expect((await j.fake.pay.deliver(notify)).status).toBe(200);
    const after = await snapshot(g.submissionId, g.orderId);
    expect(after).toMatchObject({ state: "CODE_BOUND", version: before.version, order: "REFUNDED" });
    expect(after.payments.map((p) => p.anomaly)).toEqual([null, "ORDER_REFUNDED"]);
    expect((await staffOrder(g.orderId)).item).toMatchObject({ reconciliation: "UNEXPECTED_PAYMENT", refundableFen: 0 });
  });

  it("CLOSED: a payment arriving after the expired order was closed is kept for staff, the order stays closed", async () => {
    const g = await pendingOrder();
    const order = await j.deps.db.order.findUniqueOrThrow({ where: { outTradeNo: g.outTradeNo } });
    // the order expires and reconciliation closes it (at WeChat Pay too)
    await j.deps.db.order.update({ where: { id: order.id }, data: { expiresAt: new Date(Date.now() - 1000) } });
    await reconcileOrder(j.deps, { outTradeNo: g.outTradeNo });
    expect((await j.deps.db.order.findUniqueOrThrow({ where: { id: order.id } })).status).toBe("CLOSED");
    const { notify } = anotherTransaction(g.outTradeNo);
    expect((await j.fake.pay.deliver(notify)).status).toBe(200);
    const after = await snapshot(g.submissionId, order.id);
    expect(after).toMatchObject({ state: "CODE_BOUND", order: "CLOSED", paidAt: null });
    expect(after.payments.map((p) => p.anomaly)).toEqual(["ORDER_CLOSED"]);
    expect((await staffOrder(order.id)).item).toMatchObject({ reconciliation: "UNEXPECTED_PAYMENT", paidFen: 0 });
  });

  it("SUBMISSION_ALREADY_PAID: an old order paid in its last minute beside its replacement is credited once, the other kept for staff", async () => {
    const g = await pendingOrder();
    const a = await j.deps.db.order.findUniqueOrThrow({ where: { outTradeNo: g.outTradeNo } });
    // order A is within a minute of expiring, so the next tap makes order B; WeChat Pay still takes A
    await j.deps.db.order.update({ where: { id: a.id }, data: { expiresAt: new Date(Date.now() + 30_000) } });
    const next = await j.call("POST", `/api/submissions/${g.submissionId}/orders`, { token: g.token });
    expect(next.status).toBe(200);
    const bNo = next.body.order.outTradeNo as string;
    expect(bNo).not.toBe(g.outTradeNo);
    // the graduate pays both (two phones, or a payment sheet left open): the notifies arrive together
    const paid = await Promise.all([g.outTradeNo, bNo].map((no) => j.fake.pay.payOrder(no, { url: `${j.url}/api/pay/notify` })));
    expect(paid.map((p) => p.delivery?.status)).toEqual([200, 200]);
    const orders = await j.deps.db.order.findMany({ where: { submissionId: g.submissionId }, include: { payments: true } });
    expect(orders.flatMap((o) => o.payments)).toHaveLength(2);
    const credited = orders.filter((o) => o.payments.some((p) => p.anomaly === null));
    const flagged = orders.filter((o) => o.payments.some((p) => p.anomaly !== null));
    expect(credited.map((o) => o.status)).toEqual(["PAID"]);
    expect(flagged.map((o) => [o.status, o.payments[0]!.anomaly])).toEqual([["CLOSED", "SUBMISSION_ALREADY_PAID"]]);
    expect(await state(g.submissionId)).toEqual({ state: "PAID", payments: 2 });
    const audit = await j.deps.db.auditLog.findFirstOrThrow({ where: { action: "payment.unexpected", targetId: flagged[0]!.id } });
    expect(audit.after).toMatchObject({ anomaly: "SUBMISSION_ALREADY_PAID", paidOrder: credited[0]!.outTradeNo });
    // staff see the second charge to refund; the first order is matched
    expect((await staffOrder(flagged[0]!.id)).item).toMatchObject({ reconciliation: "UNEXPECTED_PAYMENT", paidFen: 0 });
    const admin = await j.staff("CUSTOMER_SERVICE");
    const matched = await j.call("GET", "/api/staff/orders?reconciliation=MATCHED&pageSize=200", { token: admin.token });
    expect((matched.body.items as Array<{ id: string }>).find((x) => x.id === credited[0]!.id)).toMatchObject({ reconciliation: "MATCHED", paidFen: 2000 });
    // the graduate's view: paid once, nothing more to pay
    const view = await j.call("GET", `/api/submissions/${g.submissionId}`, { token: g.token });
    expect(view.body).toMatchObject({ state: "PAID", canPay: false, payment: { status: "PAID", amountFen: 2000 } });
  });

  it("two staff refunding one order at once cannot claim more than it holds", async () => {
    const g = await paidOrder();
    const [a, b] = await Promise.all(["admin", "operator"].map(async (who) => {
      const staff = await j.staff(who === "admin" ? "SCHOOL_ADMIN" : "OPERATOR");
      return j.call("POST", `/api/staff/orders/${g.orderId}/refunds`, { token: staff.token, body: { reason: "重复缴费，退部分费用", amountFen: 1500 } });
    }));
    expect([a!.status, b!.status].sort()).toEqual([200, 409]);
    // the loser finds the money claimed (or the order already 退款中, one refund at a time)
    expect(["REFUND_TOO_LARGE", "ORDER_NOT_REFUNDABLE"]).toContain([a!, b!].find((r) => r.status === 409)!.body.code);
    expect(await j.deps.db.refund.count({ where: { orderId: g.orderId } })).toBe(1);
  });

  it("a refund whose answer was lost stays 退款中 and claimed until WeChat Pay says what became of it: a second click cannot pay the money out twice", async () => {
    const g = await paidOrder();
    const admin = await j.staff("SCHOOL_ADMIN");
    const refundOnce = () => j.call("POST", `/api/staff/orders/${g.orderId}/refunds`, { token: admin.token, body: { reason: "重复缴费，退部分费用", amountFen: 1500 } });
    j.fake.pay.failNext(1, { afterHandling: true, status: 504 }); // WeChat Pay accepts the refund; its answer is lost
    const first = await refundOnce();
    expect(first.status).toBe(503);
    expect(first.body).toMatchObject({ code: "REFUND_UNCONFIRMED", message: expect.stringMatching(/请勿重复退款/) });
    const [pending] = await j.deps.db.refund.findMany({ where: { orderId: g.orderId } });
    expect(pending).toMatchObject({ status: "PROCESSING", amountFen: 1500 });
    expect(j.fake.pay.refunds.has(pending!.outRefundNo)).toBe(true); // the money is on its way
    expect((await j.deps.db.order.findUniqueOrThrow({ where: { id: g.orderId } })).status).toBe("REFUNDING");
    // the second click finds the money claimed
    const second = await refundOnce();
    expect(second.status).toBe(409);
    expect([...j.fake.pay.refunds.values()].filter((r) => r.outTradeNo === g.outTradeNo)).toHaveLength(1);
    // reconciliation: still processing at WeChat Pay (asked again later), then done
    await expect(reconcileRefund(j.deps, { outRefundNo: pending!.outRefundNo })).rejects.toBeInstanceOf(StillPendingError);
    await j.fake.pay.completeRefund(pending!.outRefundNo, { notify: false });
    await reconcileRefund(j.deps, { outRefundNo: pending!.outRefundNo });
    expect(await j.deps.db.refund.findUniqueOrThrow({ where: { id: pending!.id } })).toMatchObject({ status: "SUCCESS" });
    expect((await j.deps.db.order.findUniqueOrThrow({ where: { id: g.orderId } })).status).toBe("PARTIALLY_REFUNDED");
  });

  it("a refund WeChat Pay never received is closed by reconciliation, and the amount can be refunded again", async () => {
    const g = await paidOrder();
    const admin = await j.staff("SCHOOL_ADMIN");
    const refundOnce = () => j.call("POST", `/api/staff/orders/${g.orderId}/refunds`, { token: admin.token, body: { reason: "毕业生申请退款" } });
    j.fake.pay.failNext(1, { status: 502 }); // refused at the gateway: WeChat Pay never saw it
    expect((await refundOnce()).body.code).toBe("REFUND_UNCONFIRMED");
    const [lost] = await j.deps.db.refund.findMany({ where: { orderId: g.orderId } });
    expect(j.fake.pay.refunds.has(lost!.outRefundNo)).toBe(false);
    await reconcileRefund(j.deps, { outRefundNo: lost!.outRefundNo });
    expect((await j.deps.db.refund.findUniqueOrThrow({ where: { id: lost!.id } })).status).toBe("CLOSED");
    expect((await j.deps.db.order.findUniqueOrThrow({ where: { id: g.orderId } })).status).toBe("PAID");
    const again = await refundOnce();
    expect(again.status, JSON.stringify(again.body)).toBe(200);
    expect(again.body.amountFen).toBe(2000);
  });

  it("an expired order paid between reconciliation's query and its close is credited, not closed", async () => {
    const g = await pendingOrder();
    const order = await j.deps.db.order.findUniqueOrThrow({ where: { outTradeNo: g.outTradeNo } });
    await j.deps.db.order.update({ where: { id: order.id }, data: { expiresAt: new Date(Date.now() - 1000) } });
    // the payer completes the payment right after WeChat Pay answered NOTPAY to the query
    const pay = j.deps.wechat.pay!;
    const query = pay.queryOrder.bind(pay);
    let paidAfterQuery = false;
    pay.queryOrder = async (no: string) => {
      const t = await query(no);
      if (!paidAfterQuery) {
        paidAfterQuery = true;
        await j.fake.pay.payOrder(no, { notify: false });
      }
      return t;
    };
    try {
      await reconcileOrder(j.deps, { outTradeNo: g.outTradeNo });
    } finally {
      pay.queryOrder = query;
    }
    expect(paidAfterQuery).toBe(true);
    const after = await snapshot(g.submissionId, order.id);
    expect(after).toMatchObject({ state: "PAID", order: "PAID" });
    expect(after.payments.map((p) => p.anomaly)).toEqual([null]);
  });

  it("the stored payment keeps what reconciliation needs, not the payer's openid", async () => {
    const g = await paidOrder();
    const p = (await snapshot(g.submissionId, g.orderId)).payments[0]!;
    expect(JSON.stringify(p.raw)).not.toContain(g.openid);
    expect(p.raw).toMatchObject({ out_trade_no: g.outTradeNo, transaction_id: p.transactionId, trade_state: "SUCCESS", amount: { total: 2000 } });
  });
});

describe("rate limits", () => {
  it("limits 采集码 decoding per graduate", async () => {
    const campaignId = await j.campaign();
    const g = await j.graduate();
    const s = await j.call("POST", `/api/campaigns/${campaignId}/submission`, { token: g.token });
    await j.call("POST", `/api/submissions/${s.body.id}/consent`, { token: g.token, body: { version: 1 } });
    const statuses: number[] = [];
    for (let i = 0; i < 22; i++) statuses.push((await j.call("POST", `/api/submissions/${s.body.id}/capture-code/scan`, { token: g.token, body: { text: `not-a-code-${i}` } })).status);
    expect(statuses.slice(0, 20).every((x) => x === 422)).toBe(true);
    expect(statuses.slice(20)).toEqual([429, 429]);
  });
});
