import { beforeAll, describe, expect, it } from "vitest";
import { WechatPayClient } from "@gradphoto/wechat";
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
