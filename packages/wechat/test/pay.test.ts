import { createPublicKey, generateKeyPairSync, verify } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startFakeWechat, type FakeWechat } from "@gradphoto/testkit";
import { WechatPayClient, isWechatError } from "@gradphoto/wechat";
import { expectWechatError, outNo, startNotifyReceiver } from "./helpers.js";

let fake: FakeWechat;
let receiver: Awaited<ReturnType<typeof startNotifyReceiver>>;
let clientForReceiver: WechatPayClient;

beforeAll(async () => {
  fake = await startFakeWechat();
  receiver = await startNotifyReceiver(() => clientForReceiver);
});
afterAll(async () => {
  await receiver?.close();
  await fake?.close();
});

for (const mode of ["certificate", "publicKey"] as const) {
  describe(`WeChat Pay v3 in ${mode} mode`, () => {
    let pay: WechatPayClient;
    beforeAll(() => {
      fake.pay.setPlatformMode(mode);
      pay = new WechatPayClient(fake.pay.clientOptions({ notifyUrl: receiver.url, mode }));
      clientForReceiver = pay;
    });

    it("creates a JSAPI order and signs wx.requestPayment parameters with the merchant key", async () => {
      const no = outNo("GP");
      const prepayId = await pay.createJsapiOrder({
        outTradeNo: no,
        description: "毕业生图像采集服务费",
        amountFen: 2500,
        payerOpenid: "o-payer-1",
        expiresAt: new Date(Date.now() + 30 * 60_000),
        attach: "campaign=2024",
      });
      expect(prepayId).toMatch(/^wx/);
      const order = fake.pay.orders.get(no)!;
      expect(order).toMatchObject({ total: 2500, payerOpenid: "o-payer-1", notifyUrl: receiver.url, appid: fake.pay.appId, tradeState: "NOTPAY" });
      expect(order.timeExpire).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+08:00$/);

      // Same order again (e.g. the graduate tapped twice): same prepay_id, no error.
      expect(await pay.createJsapiOrder({ outTradeNo: no, description: "毕业生图像采集服务费", amountFen: 2500, payerOpenid: "o-payer-1" })).toBe(prepayId);

      const p = pay.requestPaymentParams(prepayId);
      expect(p.package).toBe(`prepay_id=${prepayId}`);
      expect(p.signType).toBe("RSA");
      expect(p.timeStamp).toMatch(/^\d{10}$/);
      expect(p.nonceStr).toMatch(/^[0-9A-F]{32}$/);
      const signed = `${fake.pay.appId}\n${p.timeStamp}\n${p.nonceStr}\n${p.package}\n`;
      expect(verify("sha256", Buffer.from(signed), createPublicKey(fake.pay.merchantPublicKeyPem), Buffer.from(p.paySign, "base64"))).toBe(true);
    });

    it("queries an order before and after payment; the payment notify is verified and processed once", async () => {
      const no = outNo("GQ");
      await pay.createJsapiOrder({ outTradeNo: no, description: "毕业照", amountFen: 1990, payerOpenid: "o-payer-2" });
      const before = await pay.queryOrder(no);
      expect(before).toMatchObject({ out_trade_no: no, trade_state: "NOTPAY", mchid: fake.pay.mchId });
      expect(before.transaction_id).toBeUndefined();

      const { delivery, order, notify: sent } = await fake.pay.payOrder(no);
      expect(delivery?.status).toBe(200);
      expect(JSON.parse(delivery!.body)).toEqual({ code: "SUCCESS", message: "成功" });
      const got = receiver.received.at(-1)!;
      expect(got.outcome.ok).toBe(true);
      if (got.outcome.ok) {
        const n = got.outcome.notify;
        expect(n.kind).toBe("transaction");
        expect(n.verifiedWith).toBe(mode);
        expect(n.eventType).toBe("TRANSACTION.SUCCESS");
        if (n.kind === "transaction") {
          expect(n.resource).toMatchObject({
            out_trade_no: no,
            transaction_id: order.transactionId,
            trade_state: "SUCCESS",
            amount: { total: 1990 },
            payer: { openid: "o-payer-2" },
          });
          expect(n.resource.success_time).toMatch(/\+08:00$/);
        }
      }

      // A replay of the same notify verifies again (it is genuine) and the receiver skips it by transaction id.
      const replay = await fake.pay.deliver(sent!);
      expect(replay.status).toBe(200);
      expect(receiver.received.at(-1)!.outcome).toMatchObject({ ok: true, duplicate: true });

      const after = await pay.queryOrder(no);
      expect(after).toMatchObject({ trade_state: "SUCCESS", transaction_id: order.transactionId, amount: { total: 1990 }, payer: { openid: "o-payer-2" } });
    });

    it("closes an unpaid order and refuses to close a paid one", async () => {
      const no = outNo("GC");
      await pay.createJsapiOrder({ outTradeNo: no, description: "毕业照", amountFen: 100, payerOpenid: "o-payer-3" });
      await pay.closeOrder(no);
      expect((await pay.queryOrder(no)).trade_state).toBe("CLOSED");

      const paid = outNo("GD");
      await pay.createJsapiOrder({ outTradeNo: paid, description: "毕业照", amountFen: 100, payerOpenid: "o-payer-3" });
      await fake.pay.payOrder(paid, { notify: false });
      const e = await expectWechatError(pay.closeOrder(paid));
      expect(e).toMatchObject({ code: "WXPAY_REQUEST_FAILED", wechatCode: "ORDERPAID", httpStatus: 400, retryable: false });
    });

    it("refunds partially, then the rest; over-refunds are rejected; refund notifies decrypt to RefundResource", async () => {
      const no = outNo("GR");
      await pay.createJsapiOrder({ outTradeNo: no, description: "毕业照", amountFen: 3000, payerOpenid: "o-payer-4" });
      await fake.pay.payOrder(no, { notify: false });

      const r1 = await pay.refund({ outTradeNo: no, outRefundNo: `${no}R1`, refundFen: 1000, totalFen: 3000, reason: "重复缴费" });
      expect(r1).toMatchObject({ out_trade_no: no, out_refund_no: `${no}R1`, status: "PROCESSING", amount: { refund: 1000, total: 3000 } });
      // retrying the same refund number never refunds twice
      expect((await pay.refund({ outTradeNo: no, outRefundNo: `${no}R1`, refundFen: 1000, totalFen: 3000 })).refund_id).toBe(r1.refund_id);

      const over = await expectWechatError(pay.refund({ outTradeNo: no, outRefundNo: `${no}R2`, refundFen: 2500, totalFen: 3000 }));
      expect(over).toMatchObject({ code: "WXPAY_REQUEST_FAILED", wechatCode: "INVALID_REQUEST", retryable: false });

      const { delivery } = await fake.pay.completeRefund(`${no}R1`);
      expect(delivery?.status).toBe(200);
      const got = receiver.received.at(-1)!.outcome;
      expect(got.ok).toBe(true);
      if (got.ok && got.notify.kind === "refund") {
        expect(got.notify.eventType).toBe("REFUND.SUCCESS");
        expect(got.notify.resource).toMatchObject({ out_refund_no: `${no}R1`, refund_status: "SUCCESS", amount: { refund: 1000, total: 3000 } });
      } else {
        throw new Error("expected a refund notify");
      }
      expect((await pay.queryRefund(`${no}R1`)).status).toBe("SUCCESS");
      expect((await pay.queryOrder(no)).trade_state).toBe("REFUND");

      const rest = await pay.refund({ outTradeNo: no, outRefundNo: `${no}R3`, refundFen: 2000, totalFen: 3000 });
      expect(rest.amount.refund).toBe(2000);
    });

    it("reports an unknown order as WXPAY_ORDER_NOT_FOUND", async () => {
      const e = await expectWechatError(pay.queryOrder("GP-NO-SUCH-ORDER"));
      expect(e).toMatchObject({ code: "WXPAY_ORDER_NOT_FOUND", httpStatus: 404, wechatCode: "ORDER_NOT_EXIST" });
    });

    it("rejects an answer whose body was changed after WeChat Pay signed it", async () => {
      const no = outNo("GT");
      await pay.createJsapiOrder({ outTradeNo: no, description: "毕业照", amountFen: 100, payerOpenid: "o-payer-5" });
      fake.pay.tamperNextAnswer();
      const e = await expectWechatError(pay.queryOrder(no));
      expect(e.code).toBe("WXPAY_RESPONSE_SIGNATURE_INVALID");
      // an empty 204 answer is signed too
      fake.pay.tamperNextAnswer();
      expect((await expectWechatError(pay.closeOrder(no))).code).toBe("WXPAY_RESPONSE_SIGNATURE_INVALID");
    });

    it("reports WeChat Pay 5xx as retryable", async () => {
      fake.pay.failNext(1, { status: 500, code: "SYSTEM_ERROR" });
      const e = await expectWechatError(pay.queryOrder("GP-ANY-ORDER-1"));
      expect(e).toMatchObject({ code: "WXPAY_REQUEST_FAILED", wechatCode: "SYSTEM_ERROR", httpStatus: 500, retryable: true });
    });
  });
}

describe("WeChat Pay v3 configuration mismatches", () => {
  it("a certificate-mode client rejects answers signed with the 微信支付公钥 (unknown serial)", async () => {
    fake.pay.setPlatformMode("publicKey");
    const pay = new WechatPayClient(fake.pay.clientOptions({ notifyUrl: receiver.url, mode: "certificate" }));
    const e = await expectWechatError(pay.queryOrder("GP-ANY-ORDER-2"));
    expect(e.code).toBe("WXPAY_RESPONSE_SIGNATURE_INVALID");
    expect(e.detail).toMatch(/unknown Wechatpay-Serial PUB_KEY_ID_/);
  });

  it("a public-key client asks for public-key signatures even from a merchant still on certificates", async () => {
    fake.pay.setPlatformMode("certificate");
    const pay = new WechatPayClient(fake.pay.clientOptions({ notifyUrl: receiver.url, mode: "publicKey" }));
    const e = await expectWechatError(pay.queryOrder("GP-ANY-ORDER-3"));
    expect(e.code).toBe("WXPAY_ORDER_NOT_FOUND"); // signed with the public key, so verified
  });

  it("a request signed with the wrong merchant key is refused (401 SIGN_ERROR)", async () => {
    const { privateKey } = generateKeyPairSync("rsa", { modulusLength: 2048, privateKeyEncoding: { type: "pkcs8", format: "pem" }, publicKeyEncoding: { type: "spki", format: "pem" } });
    const opts = fake.pay.clientOptions({ notifyUrl: receiver.url, mode: "certificate" });
    const pay = new WechatPayClient({ ...opts, merchantPrivateKeyPem: privateKey });
    const e = await expectWechatError(pay.queryOrder("GP-ANY-ORDER-4"));
    expect(e).toMatchObject({ code: "WXPAY_REQUEST_FAILED", httpStatus: 401, wechatCode: "SIGN_ERROR" });
  });

  it("rejects bad configuration and bad input with typed errors", () => {
    const opts = fake.pay.clientOptions({ notifyUrl: receiver.url, mode: "certificate" });
    for (const bad of [
      { ...opts, apiV3Key: "short" },
      { ...opts, merchantPrivateKeyPem: "not a key" },
      { ...opts, platform: { mode: "publicKey" as const, publicKeyId: "0114", publicKeyPem: fake.pay.platformPublicKeyPem } },
      { ...opts, platform: { mode: "certificate" as const, certificates: new Map([["ABCDEF", fake.pay.platformCertificatePem]]) } },
    ]) {
      try {
        new WechatPayClient(bad);
        throw new Error("accepted bad configuration");
      } catch (e) {
        expect(isWechatError(e, "WECHAT_CONFIG_INVALID")).toBe(true);
      }
    }
    const pay = new WechatPayClient(opts);
    return Promise.all([
      expectWechatError(pay.createJsapiOrder({ outTradeNo: "GP-1", description: "x", amountFen: 100, payerOpenid: "o" })).then((e) => expect(e.code).toBe("WXPAY_INVALID_INPUT")),
      expectWechatError(pay.createJsapiOrder({ outTradeNo: "GP-000001", description: "x", amountFen: 1.5, payerOpenid: "o" })).then((e) => expect(e.code).toBe("WXPAY_INVALID_INPUT")),
      expectWechatError(pay.refund({ outTradeNo: "GP-000001", outRefundNo: "GP-000001R", refundFen: 200, totalFen: 100 })).then((e) => expect(e.code).toBe("WXPAY_INVALID_INPUT")),
    ]);
  });
});
