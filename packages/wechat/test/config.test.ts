import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startFakeWechat, type FakeWechat } from "@gradphoto/testkit";
import { WechatPayClient, isWechatError, miniProgramOptionsFromEnv, wechatPayOptionsFromEnv } from "@gradphoto/wechat";

let fake: FakeWechat;
let dir: string;

beforeAll(async () => {
  fake = await startFakeWechat();
  dir = mkdtempSync(path.join(tmpdir(), "wechat-config-"));
});
afterAll(async () => {
  await fake?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe("configuration from environment variables", () => {
  it("is absent when nothing is configured", () => {
    expect(miniProgramOptionsFromEnv({})).toBeUndefined();
    expect(wechatPayOptionsFromEnv({})).toBeUndefined();
  });

  it("reads the mini-program settings", () => {
    expect(miniProgramOptionsFromEnv({ WECHAT_APPID: "wx1", WECHAT_SECRET: "s", WECHAT_API_BASE: fake.baseUrl })).toEqual({
      appId: "wx1",
      appSecret: "s",
      baseUrl: fake.baseUrl,
    });
    try {
      miniProgramOptionsFromEnv({ WECHAT_APPID: "wx1" });
      throw new Error("accepted a missing secret");
    } catch (e) {
      expect(isWechatError(e, "WECHAT_CONFIG_INVALID")).toBe(true);
    }
  });

  it("reads Pay settings in certificate mode from files, and the client works with them", async () => {
    const key = path.join(dir, "apiclient_key.pem");
    const cert = path.join(dir, "wechatpay_cert.pem");
    writeFileSync(key, fake.pay.merchantPrivateKeyPem);
    writeFileSync(cert, fake.pay.platformCertificatePem);
    const opts = wechatPayOptionsFromEnv({
      WXPAY_MCHID: fake.pay.mchId,
      WECHAT_APPID: fake.pay.appId,
      WXPAY_SERIAL_NO: fake.pay.merchantSerialNo,
      WXPAY_PRIVATE_KEY_FILE: key,
      WXPAY_APIV3_KEY: fake.pay.apiV3Key,
      WXPAY_PLATFORM_CERT_FILE: cert,
      WXPAY_API_BASE: fake.baseUrl,
      WXPAY_NOTIFY_URL: "https://example.invalid/api/pay/notify",
    })!;
    expect(opts.platform.mode).toBe("certificate");
    const pay = new WechatPayClient(opts);
    const prepay = await pay.createJsapiOrder({ outTradeNo: `GE${Date.now()}`, description: "x", amountFen: 1, payerOpenid: "o-env" });
    expect(prepay).toMatch(/^wx/);
  });

  it("reads Pay settings in public-key mode with an inline PEM using \\n escapes; both given means 'both'", () => {
    const base = {
      WXPAY_MCHID: fake.pay.mchId,
      WXPAY_APPID: fake.pay.appId,
      WXPAY_SERIAL_NO: fake.pay.merchantSerialNo,
      WXPAY_PRIVATE_KEY: fake.pay.merchantPrivateKeyPem.replace(/\n/g, "\\n"),
      WXPAY_APIV3_KEY: fake.pay.apiV3Key,
      WXPAY_PUBLIC_KEY_ID: fake.pay.publicKeyId,
      WXPAY_PUBLIC_KEY: fake.pay.platformPublicKeyPem.replace(/\n/g, "\\n"),
      WXPAY_NOTIFY_URL: "https://example.invalid/api/pay/notify",
    };
    const pub = wechatPayOptionsFromEnv(base)!;
    expect(pub.platform).toMatchObject({ mode: "publicKey", publicKeyId: fake.pay.publicKeyId });
    expect(() => new WechatPayClient(pub)).not.toThrow();
    const both = wechatPayOptionsFromEnv({ ...base, WXPAY_PLATFORM_CERT: fake.pay.platformCertificatePem })!;
    expect(both.platform.mode).toBe("both");
  });

  it("names the missing variables when half configured", () => {
    try {
      wechatPayOptionsFromEnv({ WXPAY_MCHID: "1900000001", WECHAT_APPID: "wx1" });
      throw new Error("accepted half a configuration");
    } catch (e) {
      expect(isWechatError(e, "WECHAT_CONFIG_INVALID")).toBe(true);
      if (isWechatError(e)) {
        expect(e.detail).toContain("WXPAY_SERIAL_NO");
        expect(e.detail).toContain("WXPAY_PUBLIC_KEY_ID");
      }
    }
  });
});
