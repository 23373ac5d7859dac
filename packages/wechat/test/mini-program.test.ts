import { createServer } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startFakeWechat, type FakeWechat } from "@gradphoto/testkit";
import { MiniProgramClient, WechatError, isWechatError } from "@gradphoto/wechat";

const TEMPLATE = "tmpl-review-result";
const TEMPLATE_KEYS = ["thing1", "phrase2", "time3", "character_string4"];

let fake: FakeWechat;

beforeAll(async () => {
  fake = await startFakeWechat({ miniProgram: { templates: { [TEMPLATE]: TEMPLATE_KEYS } } });
});
afterAll(async () => {
  await fake?.close();
});

function client(extra: Partial<ConstructorParameters<typeof MiniProgramClient>[0]> = {}): MiniProgramClient {
  return new MiniProgramClient({ ...fake.miniProgram.clientOptions(), ...extra });
}

function message(openid: string, overrides: Record<string, string> = {}) {
  return {
    toUser: openid,
    templateId: TEMPLATE,
    page: "pages/result/index?id=42",
    data: { thing1: "2024届毕业生图像采集", phrase2: "审核通过", time3: "2024年6月1日 15:01", character_string4: "GP-20240601-0001", ...overrides },
    miniprogramState: "formal" as const,
  };
}

async function expectWechatError(p: Promise<unknown>): Promise<WechatError> {
  try {
    await p;
  } catch (e) {
    if (isWechatError(e)) return e;
    throw e;
  }
  throw new Error("expected a WechatError");
}

describe("code2Session", () => {
  it("exchanges a wx.login code for openid, unionid and session_key", async () => {
    const { code, openid } = fake.miniProgram.issueLoginCode({ unionid: "union-1" });
    const s = await client().code2Session(code);
    expect(s.openid).toBe(openid);
    expect(s.unionid).toBe("union-1");
    expect(s.sessionKey.length).toBeGreaterThan(10);
  });

  it("has no unionid when the mini-program is not bound to an Open Platform account", async () => {
    const { code } = fake.miniProgram.issueLoginCode();
    const s = await client().code2Session(code);
    expect(s).not.toHaveProperty("unionid");
  });

  it("rejects a bad code with WECHAT_LOGIN_FAILED and errcode 40029", async () => {
    const e = await expectWechatError(client().code2Session("not-a-real-code"));
    expect(e.code).toBe("WECHAT_LOGIN_FAILED");
    expect(e.errcode).toBe(40029);
    expect(e.retryable).toBe(false);
    expect(e.message).toMatch(/微信登录失败/);
  });

  it("rejects a code used twice (40163)", async () => {
    const { code } = fake.miniProgram.issueLoginCode();
    await client().code2Session(code);
    const e = await expectWechatError(client().code2Session(code));
    expect(e.errcode).toBe(40163);
  });

  it("reports wrong credentials with the errcode and never leaks the secret", async () => {
    const e = await expectWechatError(client({ appSecret: "wrong-secret-value" }).code2Session(fake.miniProgram.issueLoginCode().code));
    expect(e.code).toBe("WECHAT_LOGIN_FAILED");
    expect(e.errcode).toBe(40125);
    expect(JSON.stringify(e)).not.toContain("wrong-secret-value");
  });

  it("rejects an empty code without calling WeChat", async () => {
    const before = fake.requests.length;
    const e = await expectWechatError(client().code2Session(""));
    expect(e.code).toBe("WECHAT_LOGIN_FAILED");
    expect(fake.requests.length).toBe(before);
  });
});

describe("access token", () => {
  it("is cached between calls and shared by concurrent callers", async () => {
    const c = client();
    const before = fake.miniProgram.tokenRequests;
    const [a, b] = await Promise.all([c.getAccessToken(), c.getAccessToken()]);
    const again = await c.getAccessToken();
    expect(a).toBe(b);
    expect(again).toBe(a);
    expect(fake.miniProgram.tokenRequests - before).toBe(1);
  });

  it("is refreshed shortly before it expires", async () => {
    let now = Date.now();
    const c = client({ now: () => now });
    const before = fake.miniProgram.tokenRequests;
    await c.getAccessToken();
    now += 7200_000 - 299_000; // inside the 5-minute margin
    await c.getAccessToken();
    expect(fake.miniProgram.tokenRequests - before).toBe(2);
  });

  it("is refreshed once on 40001 and the send retried", async () => {
    const c = client();
    const { openid } = fake.miniProgram.issueLoginCode();
    fake.miniProgram.grantSubscription(openid, TEMPLATE);
    const first = await c.getAccessToken();
    fake.miniProgram.revokeAccessTokens();
    const before = fake.miniProgram.tokenRequests;
    const r = await c.sendSubscribeMessage(message(openid));
    expect(r).toMatchObject({ ok: true });
    expect(fake.miniProgram.tokenRequests - before).toBe(1);
    expect(await c.getAccessToken()).not.toBe(first);
  });

  it("is refreshed on 42001 (expired)", async () => {
    const c = client();
    const { openid } = fake.miniProgram.issueLoginCode();
    fake.miniProgram.grantSubscription(openid, TEMPLATE);
    await c.getAccessToken();
    fake.miniProgram.expireAccessTokens();
    expect(await c.sendSubscribeMessage(message(openid))).toMatchObject({ ok: true });
  });

  it("works with the classic /cgi-bin/token endpoint too", async () => {
    const c = client({ tokenEndpoint: "classic" });
    const { openid } = fake.miniProgram.issueLoginCode();
    fake.miniProgram.grantSubscription(openid, TEMPLATE);
    expect(await c.sendSubscribeMessage(message(openid))).toMatchObject({ ok: true });
  });

  it("reports bad credentials as a permanent WECHAT_ACCESS_TOKEN_FAILED", async () => {
    const e = await expectWechatError(client({ appId: "wx-not-this-app" }).getAccessToken());
    expect(e.code).toBe("WECHAT_ACCESS_TOKEN_FAILED");
    expect(e.errcode).toBe(40013);
    expect(e.retryable).toBe(false);
  });
});

describe("subscribeMessage.send", () => {
  it("sends a message the user subscribed to, once", async () => {
    const c = client();
    const { openid } = fake.miniProgram.issueLoginCode();
    fake.miniProgram.grantSubscription(openid, TEMPLATE);
    const r = await c.sendSubscribeMessage(message(openid));
    expect(r.ok).toBe(true);
    const sent = fake.miniProgram.sentMessages.find((m) => m.toUser === openid)!;
    expect(r).toEqual({ ok: true, msgId: sent.msgId }); // all 19 digits of the 64-bit msgid kept
    expect(sent).toMatchObject({ templateId: TEMPLATE, page: "pages/result/index?id=42", miniprogramState: "formal", lang: "zh_CN" });
    expect(sent.data.phrase2).toBe("审核通过");

    // A one-time subscription allows exactly one message: the second is refused, permanently.
    const again = await c.sendSubscribeMessage(message(openid));
    expect(again).toMatchObject({ ok: false, retryable: false, code: "WECHAT_SUBSCRIBE_REFUSED", errcode: 43101 });
  });

  it("is refused (43101, permanent) without a subscription", async () => {
    const { openid } = fake.miniProgram.issueLoginCode();
    const r = await client().sendSubscribeMessage(message(openid));
    expect(r).toMatchObject({ ok: false, retryable: false, code: "WECHAT_SUBSCRIBE_REFUSED", errcode: 43101 });
    if (!r.ok) expect(r.message).toMatch(/未订阅/);
  });

  it("trims a thing value longer than 20 characters so WeChat accepts it", async () => {
    const { openid } = fake.miniProgram.issueLoginCode();
    fake.miniProgram.grantSubscription(openid, TEMPLATE);
    const long = "您提交的毕业证书电子注册图像已由学校审核通过请及时查看结果";
    expect(Array.from(long).length).toBeGreaterThan(20);
    const r = await client().sendSubscribeMessage(message(openid, { thing1: long }));
    expect(r.ok).toBe(true);
    const v = fake.miniProgram.sentMessages.find((m) => m.toUser === openid)!.data.thing1!;
    expect(Array.from(v).length).toBe(20);
    expect(v.endsWith("…")).toBe(true);
    expect(long.startsWith(v.slice(0, -1))).toBe(true);
  });

  it("reports bad template data (47003) as permanent", async () => {
    const { openid } = fake.miniProgram.issueLoginCode();
    fake.miniProgram.grantSubscription(openid, TEMPLATE);
    // phrase values are not shortened (meaning would change): 6 characters break the rule.
    const r = await client().sendSubscribeMessage(message(openid, { phrase2: "审核未通过啊" }));
    expect(r).toMatchObject({ ok: false, retryable: false, code: "WECHAT_SUBSCRIBE_BAD_DATA", errcode: 47003 });
    expect(fake.miniProgram.subscriptionsLeft(openid, TEMPLATE)).toBe(1); // nothing consumed
  });

  it("reports a bad openid (40003) and an unknown template (40037) as permanent", async () => {
    const c = client();
    expect(await c.sendSubscribeMessage(message("o-nobody"))).toMatchObject({ ok: false, retryable: false, code: "WECHAT_SUBSCRIBE_BAD_OPENID", errcode: 40003 });
    const { openid } = fake.miniProgram.issueLoginCode();
    expect(await c.sendSubscribeMessage({ ...message(openid), templateId: "tmpl-unknown" })).toMatchObject({
      ok: false,
      retryable: false,
      code: "WECHAT_SUBSCRIBE_BAD_TEMPLATE",
      errcode: 40037,
    });
  });

  it("reports -1 (system busy), rate limits and HTTP 5xx as retryable, then succeeds", async () => {
    const c = client();
    const { openid } = fake.miniProgram.issueLoginCode();
    fake.miniProgram.grantSubscription(openid, TEMPLATE);
    fake.miniProgram.failNextSends(1, { errcode: -1 });
    fake.miniProgram.failNextSends(1, { errcode: 45009, errmsg: "reach max api daily quota limit" });
    fake.miniProgram.failNextSends(1, { httpStatus: 502 });
    expect(await c.sendSubscribeMessage(message(openid))).toMatchObject({ ok: false, retryable: true, code: "WECHAT_UNAVAILABLE", errcode: -1 });
    expect(await c.sendSubscribeMessage(message(openid))).toMatchObject({ ok: false, retryable: true, code: "WECHAT_SUBSCRIBE_RATE_LIMITED", errcode: 45009 });
    expect(await c.sendSubscribeMessage(message(openid))).toMatchObject({ ok: false, retryable: true, code: "WECHAT_UNAVAILABLE", httpStatus: 502 });
    expect(await c.sendSubscribeMessage(message(openid))).toMatchObject({ ok: true });
  });

  it("reports a token that stays invalid after one refresh as retryable", async () => {
    const c = client();
    const { openid } = fake.miniProgram.issueLoginCode();
    fake.miniProgram.grantSubscription(openid, TEMPLATE);
    fake.miniProgram.failNextSends(2, { errcode: 40001, errmsg: "invalid credential" });
    const r = await c.sendSubscribeMessage(message(openid));
    expect(r).toMatchObject({ ok: false, retryable: true, code: "WECHAT_ACCESS_TOKEN_FAILED", errcode: 40001 });
  });

  it("reports an unreachable WeChat as retryable", async () => {
    const port = await freePort();
    const c = new MiniProgramClient({ ...fake.miniProgram.clientOptions(), baseUrl: `http://127.0.0.1:${port}`, timeoutMs: 2000 });
    const r = await c.sendSubscribeMessage(message("o-any"));
    expect(r).toMatchObject({ ok: false, retryable: true, code: "WECHAT_UNAVAILABLE" });
    if (!r.ok) expect(r.detail).not.toContain(fake.miniProgram.appSecret);
  });

  it("rejects an invalid character_string locally as permanent bad data", async () => {
    const { openid } = fake.miniProgram.issueLoginCode();
    const before = fake.miniProgram.sendAttempts;
    const r = await client().sendSubscribeMessage(message(openid, { character_string4: "编号一" }));
    expect(r).toMatchObject({ ok: false, retryable: false, code: "WECHAT_SUBSCRIBE_BAD_DATA" });
    expect(fake.miniProgram.sendAttempts).toBe(before);
  });
});

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.listen(0, "127.0.0.1", () => {
      const addr = s.address();
      const port = typeof addr === "object" && addr ? addr.port : 0;
      s.close(() => resolve(port));
    });
    s.on("error", reject);
  });
}
