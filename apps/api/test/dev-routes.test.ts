// The development-only /api/dev routes drive the fake WeChat for the H5 build. Their answers are
// validated by the shared contracts (the same schemas the typed client uses).
import { beforeAll, describe, expect, it } from "vitest";
import { DevLoginCodeSchema, DevPayResultSchema } from "@gradphoto/contracts";
import { startJourney, type Journey } from "./journey-harness.js";

let dev: Journey;
let plain: Journey;

beforeAll(async () => {
  [dev, plain] = await Promise.all([startJourney({ devRoutes: true }), startJourney()]);
}, 180_000);

describe("development routes", () => {
  it("are absent unless the fake WeChat is configured", async () => {
    const r = await plain.call("POST", "/api/dev/wx-login-code", { body: {} });
    expect(r.status).toBe(404);
  });

  it("give a wx.login code that logs in, pay an order with a signed notify, and record a subscription", async () => {
    const code = await dev.call("POST", "/api/dev/wx-login-code", { body: {} });
    expect(code.status).toBe(200);
    const { code: wxCode, openid } = DevLoginCodeSchema.parse(code.body);
    const login = await dev.call("POST", "/api/wx/login", { body: { code: wxCode } });
    expect(login.status).toBe(200);
    const token = login.body.token as string;

    const campaignId = await dev.campaign();
    const entry = await dev.rosterEntry(campaignId, null);
    const start = await dev.call("POST", `/api/campaigns/${campaignId}/submission`, { token });
    const id = start.body.id as string;
    await dev.call("POST", `/api/submissions/${id}/consent`, { token, body: { version: 1, clientInfo: { platform: "h5" } } });
    const preview = await dev.call("POST", `/api/submissions/${id}/capture-code/scan`, { token, body: { text: entry.codeText } });
    await dev.call("POST", `/api/submissions/${id}/capture-code/confirm`, { token, body: { codeToken: preview.body.codeToken } });
    const order = await dev.call("POST", `/api/submissions/${id}/orders`, { token });
    expect(order.status).toBe(200);

    const paid = await dev.call("POST", `/api/dev/pay/${order.body.order.outTradeNo}`, {});
    expect(paid.status).toBe(200);
    const result = DevPayResultSchema.parse(paid.body);
    expect(result.delivery?.status).toBe(200); // our notify endpoint verified and accepted it
    const view = await dev.call("GET", `/api/submissions/${id}`, { token });
    expect(view.body.state).toBe("PAID");

    const sub = await dev.call("POST", "/api/dev/subscriptions", { body: { openid, templateId: "tpl-review-passed" } });
    expect(sub.status).toBe(200);
  }, 60_000);

  it("answer an unknown order with the error shape (502 from the fake), never a 500", async () => {
    const r = await dev.call("POST", "/api/dev/pay/NO-SUCH-ORDER-1", {});
    expect(r.status).toBe(502);
    expect(r.body).toMatchObject({ code: "DEV_FAKE_FAILED", message: expect.stringMatching(/[\u4e00-\u9fa5]/) });
  });
});
