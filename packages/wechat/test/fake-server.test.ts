import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startFakeWechat, type FakeWechat } from "@gradphoto/testkit";
import { MiniProgramClient } from "@gradphoto/wechat";

// The fake itself: it must refuse what WeChat refuses, or the client tests prove nothing.
let fake: FakeWechat;
beforeAll(async () => {
  fake = await startFakeWechat({ miniProgram: { templates: { t1: ["thing1"] } } });
});
afterAll(async () => {
  await fake?.close();
});

describe("fake WeChat server", () => {
  it("refuses Pay requests without or with a broken merchant signature (401 SIGN_ERROR)", async () => {
    const unsigned = await fetch(`${fake.baseUrl}/v3/pay/transactions/out-trade-no/X123456?mchid=${fake.pay.mchId}`);
    expect(unsigned.status).toBe(401);
    expect(await unsigned.json()).toMatchObject({ code: "SIGN_ERROR" });
    const garbage = await fetch(`${fake.baseUrl}/v3/pay/transactions/out-trade-no/X123456?mchid=${fake.pay.mchId}`, {
      headers: {
        Authorization: `WECHATPAY2-SHA256-RSA2048 mchid="${fake.pay.mchId}",nonce_str="abc",signature="AAAA",timestamp="${Math.floor(Date.now() / 1000)}",serial_no="${fake.pay.merchantSerialNo}"`,
      },
    });
    expect(garbage.status).toBe(401);
  });

  it("refuses a send with a made-up access token (40001)", async () => {
    const res = await fetch(`${fake.baseUrl}/cgi-bin/message/subscribe/send?access_token=made-up`, { method: "POST", body: "{}" });
    expect(await res.json()).toMatchObject({ errcode: 40001 });
  });

  it("can be driven over HTTP through its /__fake/ control endpoints (for other processes)", async () => {
    const r = await fetch(`${fake.baseUrl}/__fake/login-code`, { method: "POST", body: JSON.stringify({ openid: "o-ctl" }) });
    const { code } = (await r.json()) as { code: string };
    const c = new MiniProgramClient(fake.miniProgram.clientOptions());
    expect((await c.code2Session(code)).openid).toBe("o-ctl");
    await fetch(`${fake.baseUrl}/__fake/subscriptions`, { method: "POST", body: JSON.stringify({ openid: "o-ctl", templateId: "t1" }) });
    expect(await c.sendSubscribeMessage({ toUser: "o-ctl", templateId: "t1", data: { thing1: "审核通过" } })).toMatchObject({ ok: true });
    const msgs = (await (await fetch(`${fake.baseUrl}/__fake/messages`)).json()) as { toUser: string }[];
    expect(msgs.map((m) => m.toUser)).toEqual(["o-ctl"]);
  });
});
