import type { FastifyPluginAsyncZod } from "fastify-type-provider-zod";
import { z } from "zod";
import { ApiErrorSchema, DevAckSchema, DevLoginCodeRequestSchema, DevLoginCodeSchema, DevPayResultSchema, DevSubscriptionRequestSchema } from "@gradphoto/contracts";
import { AppError } from "../lib/errors.js";

/**
 * Development-only helpers for the H5 build, registered only with NODE_ENV=development and
 * DEV_FAKE_WECHAT_URL pointing at the fake WeChat server (absent in test and production; production
 * refuses to start with DEV_FAKE_WECHAT_URL set): a browser has no wx.login, and no WeChat Pay cashier.
 * They drive the fake through its /__fake/ control endpoints.
 */
export const devRoutes: FastifyPluginAsyncZod = async (app) => {
  const base = app.deps.config.env.DEV_FAKE_WECHAT_URL;
  if (!base || app.deps.config.env.NODE_ENV !== "development") return;

  async function fake(path: string, body: unknown): Promise<unknown> {
    const r = await fetch(`${base}${path}`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body) });
    if (!r.ok) throw new AppError(502, "DEV_FAKE_FAILED", "开发环境模拟微信服务出错", { status: r.status, body: await r.text() });
    return r.json();
  }

  app.post(
    "/api/dev/wx-login-code",
    { config: { auth: "public" }, schema: { tags: ["development"], summary: "Development only: a wx.login code from the fake WeChat", body: DevLoginCodeRequestSchema, response: { 200: DevLoginCodeSchema, 502: ApiErrorSchema } } },
    async (req) => DevLoginCodeSchema.parse(await fake("/__fake/login-code", req.body)),
  );

  app.post(
    "/api/dev/pay/:outTradeNo",
    { config: { auth: "public" }, schema: { tags: ["development"], summary: "Development only: the fake WeChat Pay pays an order and sends the signed notify", params: z.object({ outTradeNo: z.string().min(6).max(32) }), response: { 200: DevPayResultSchema, 502: ApiErrorSchema } } },
    async (req) => DevPayResultSchema.parse(await fake(`/__fake/pay/orders/${encodeURIComponent(req.params.outTradeNo)}/pay`, {})),
  );

  app.post(
    "/api/dev/subscriptions",
    { config: { auth: "public" }, schema: { tags: ["development"], summary: "Development only: the fake WeChat records an accepted 订阅消息", body: DevSubscriptionRequestSchema, response: { 200: DevAckSchema, 502: ApiErrorSchema } } },
    async (req) => DevAckSchema.parse(await fake("/__fake/subscriptions", req.body)),
  );
};
