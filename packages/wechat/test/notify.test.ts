import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startFakeWechat, type FakeWechat, type SignedNotify } from "@gradphoto/testkit";
import { WechatPayClient, type WechatErrorCode } from "@gradphoto/wechat";
import { expectWechatError, outNo, startNotifyReceiver } from "./helpers.js";

let fake: FakeWechat;
let receiver: Awaited<ReturnType<typeof startNotifyReceiver>>;
let receiverClient: WechatPayClient;

beforeAll(async () => {
  fake = await startFakeWechat();
  receiver = await startNotifyReceiver(() => receiverClient);
});
afterAll(async () => {
  await receiver?.close();
  await fake?.close();
});

function client(mode: "certificate" | "publicKey" | "both", extra: Partial<ConstructorParameters<typeof WechatPayClient>[0]> = {}): WechatPayClient {
  return new WechatPayClient({ ...fake.pay.clientOptions({ notifyUrl: receiver.url, mode }), ...extra });
}

/** A paid order and its genuine notify, signed in `mode`. */
async function paidOrderNotify(mode: "certificate" | "publicKey"): Promise<{ no: string; notify: SignedNotify }> {
  const no = outNo("GN");
  await client(mode).createJsapiOrder({ outTradeNo: no, description: "毕业照", amountFen: 2500, payerOpenid: "o-notify" });
  await fake.pay.payOrder(no, { notify: false });
  return { no, notify: fake.pay.transactionNotify(no, { mode }) };
}

function verifyCode(c: WechatPayClient, n: SignedNotify): Promise<WechatErrorCode> {
  return expectWechatError(() => c.verifyAndDecryptNotify({ headers: n.headers, rawBody: n.rawBody })).then((e) => e.code);
}

for (const mode of ["certificate", "publicKey"] as const) {
  describe(`notify verification, ${mode} mode`, () => {
    it("verifies and decrypts a genuine notify and exposes its id", async () => {
      const c = client(mode);
      const { no, notify } = await paidOrderNotify(mode);
      const v = c.verifyAndDecryptNotify({ headers: notify.headers, rawBody: Buffer.from(notify.rawBody) });
      expect(v.id).toBe(notify.id);
      expect(v.verifiedWith).toBe(mode);
      expect(v.serial).toBe(mode === "publicKey" ? fake.pay.publicKeyId : fake.pay.platformCertificateSerial);
      expect(v.kind).toBe("transaction");
      if (v.kind !== "transaction") return;
      expect(v.resource).toMatchObject({ out_trade_no: no, trade_state: "SUCCESS", amount: { total: 2500 }, payer: { openid: "o-notify" }, mchid: fake.pay.mchId, appid: fake.pay.appId });
      // headers as Node gives them (lower case) and as a Fetch Headers object work the same
      const lower = Object.fromEntries(Object.entries(notify.headers).map(([k, val]) => [k.toLowerCase(), val]));
      expect(c.verifyAndDecryptNotify({ headers: lower, rawBody: notify.rawBody }).id).toBe(notify.id);
      expect(c.verifyAndDecryptNotify({ headers: new Headers(notify.headers), rawBody: notify.rawBody }).id).toBe(notify.id);
    });

    it("rejects a forged notify (signed by another key)", async () => {
      const { notify } = await paidOrderNotify(mode);
      expect(await verifyCode(client(mode), fake.pay.forged(notify))).toBe("WXPAY_NOTIFY_BAD_SIGNATURE");
    });

    it("rejects a tampered notify (body changed after signing)", async () => {
      const { notify } = await paidOrderNotify(mode);
      expect(await verifyCode(client(mode), fake.pay.tampered(notify))).toBe("WXPAY_NOTIFY_BAD_SIGNATURE");
      // JSON re-serialised by a framework (whitespace only) also fails: verify the raw body.
      const reserialised = { ...notify, rawBody: JSON.stringify(JSON.parse(notify.rawBody), null, 1) };
      expect(await verifyCode(client(mode), reserialised)).toBe("WXPAY_NOTIFY_BAD_SIGNATURE");
    });

    it("rejects a stale notify (timestamp older than 5 minutes) and one from the future", async () => {
      const { notify } = await paidOrderNotify(mode);
      const c = client(mode);
      expect(await verifyCode(c, fake.pay.stale(notify, 301))).toBe("WXPAY_NOTIFY_STALE");
      expect(await verifyCode(c, fake.pay.stale(notify, -400))).toBe("WXPAY_NOTIFY_STALE");
      // a 4-minute-old notify (WeChat retrying) is still fine
      expect(c.verifyAndDecryptNotify({ headers: fake.pay.stale(notify, 240).headers, rawBody: notify.rawBody }).id).toBe(notify.id);
      // the genuine notify processed 6 minutes later is stale too
      const later = Date.now() + 360_000;
      const e = await expectWechatError(() => c.verifyAndDecryptNotify({ headers: notify.headers, rawBody: notify.rawBody, now: later }));
      expect(e.code).toBe("WXPAY_NOTIFY_STALE");
    });

    it("rejects an unknown serial / public key ID", async () => {
      const { notify } = await paidOrderNotify(mode);
      expect(await verifyCode(client(mode), fake.pay.withUnknownSerial(notify))).toBe("WXPAY_NOTIFY_UNKNOWN_SERIAL");
      // and a notify in the other mode than the one configured
      const other = mode === "certificate" ? "publicKey" : "certificate";
      expect(await verifyCode(client(other), notify)).toBe("WXPAY_NOTIFY_UNKNOWN_SERIAL");
    });

    it("rejects a notify whose resource cannot be decrypted with our APIv3 key", async () => {
      const { notify } = await paidOrderNotify(mode);
      const wrongKey = client(mode, { apiV3Key: "0123456789abcdef0123456789abcdef" });
      expect(await verifyCode(wrongKey, notify)).toBe("WXPAY_NOTIFY_DECRYPT_FAILED");
    });

    it("rejects a notify for another merchant or app", async () => {
      const { notify } = await paidOrderNotify(mode);
      expect(await verifyCode(client(mode, { appId: "wx-some-other-app" }), notify)).toBe("WXPAY_NOTIFY_WRONG_MERCHANT");
    });
  });
}

describe("notify verification, other cases", () => {
  it("a client in 'both' mode (during the migration) accepts notifies signed either way", async () => {
    const c = client("both");
    for (const mode of ["certificate", "publicKey"] as const) {
      const { notify } = await paidOrderNotify(mode);
      expect(c.verifyAndDecryptNotify({ headers: notify.headers, rawBody: notify.rawBody }).verifiedWith).toBe(mode);
    }
  });

  it("rejects missing headers, WeChat's signature probes and a resource that is not a transaction", async () => {
    const c = client("certificate");
    const { notify } = await paidOrderNotify("certificate");
    const { ["Wechatpay-Signature"]: _sig, ...noSig } = notify.headers;
    const e = await expectWechatError(() => c.verifyAndDecryptNotify({ headers: noSig, rawBody: notify.rawBody }));
    expect(e.code).toBe("WXPAY_NOTIFY_MISSING_HEADERS");
    expect(e.detail).toContain("Wechatpay-Signature");
    const probe = { ...notify, headers: { ...notify.headers, "Wechatpay-Signature": "WECHATPAY/SIGNTEST/" + notify.headers["Wechatpay-Signature"] } };
    expect(await verifyCode(c, probe)).toBe("WXPAY_NOTIFY_BAD_SIGNATURE");

    const notJson = fake.pay.buildNotify({ eventType: "TRANSACTION.SUCCESS", originalType: "transaction", summary: "x", resource: { hello: "world" } });
    expect(await verifyCode(c, notJson)).toBe("WXPAY_NOTIFY_BAD_BODY");
  });

  it("over HTTP: forged, tampered, stale and unknown-serial notifies get a FAIL answer; a replay is recognised by its transaction id", async () => {
    receiverClient = client("publicKey");
    const { notify } = await paidOrderNotify("publicKey");
    for (const bad of [fake.pay.forged(notify), fake.pay.tampered(notify), fake.pay.stale(notify), fake.pay.withUnknownSerial(notify)]) {
      const d = await fake.pay.deliver(bad);
      expect(d.status).toBeGreaterThanOrEqual(400);
      expect(JSON.parse(d.body)).toMatchObject({ code: "FAIL" });
    }
    expect(receiver.processed.size).toBe(0);
    const first = await fake.pay.deliver(notify);
    const replay = await fake.pay.deliver(notify);
    expect([first.status, replay.status]).toEqual([200, 200]);
    expect(JSON.parse(first.body)).toEqual({ code: "SUCCESS", message: "成功" });
    expect(receiver.received.at(-2)!.outcome).toMatchObject({ ok: true, duplicate: false });
    expect(receiver.received.at(-1)!.outcome).toMatchObject({ ok: true, duplicate: true });
    expect(receiver.processed.size).toBe(1);
  });
});
