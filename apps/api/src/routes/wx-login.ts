import type { FastifyPluginAsyncZod } from "fastify-type-provider-zod";
import { ApiErrorSchema, WxLoginRequestSchema, WxLoginResponseSchema } from "@gradphoto/contracts";
import { isWechatError } from "@gradphoto/wechat";
import { AppError } from "../lib/errors.js";
import { newToken } from "../lib/tokens.js";

/** 授权登录: wx.login code → code2Session → our session token. */
export const wxLoginRoutes: FastifyPluginAsyncZod = async (app) => {
  const { db, config } = app.deps;
  app.post(
    "/api/wx/login",
    {
      config: { auth: "public", rateLimit: { max: config.env.LOGIN_RATE_LIMIT_PER_MINUTE, timeWindow: "1 minute" } },
      schema: { tags: ["graduate"], summary: "WeChat mini-program login", body: WxLoginRequestSchema, response: { 200: WxLoginResponseSchema, 401: ApiErrorSchema, 503: ApiErrorSchema } },
    },
    async (req) => {
      const mini = app.deps.wechat.mini;
      if (!mini) throw new AppError(503, "WECHAT_NOT_CONFIGURED", "微信登录暂不可用，请稍后再试");
      const session = await mini.code2Session(req.body.code).catch((e: unknown) => {
        if (isWechatError(e)) {
          const retryable = e.code !== "WECHAT_LOGIN_FAILED";
          throw new AppError(retryable ? 503 : 401, e.code, e.message);
        }
        throw e;
      });
      const now = new Date();
      const user = await db.wechatUser.upsert({
        where: { openid: session.openid },
        update: { lastLoginAt: now, unionid: session.unionid ?? undefined, ...(req.body.nickname ? { nickname: req.body.nickname } : {}), ...(req.body.avatarUrl ? { avatarUrl: req.body.avatarUrl } : {}) },
        create: { openid: session.openid, unionid: session.unionid ?? null, nickname: req.body.nickname ?? null, avatarUrl: req.body.avatarUrl ?? null, lastLoginAt: now },
      });
      const { token, hash } = newToken();
      const expiresAt = new Date(now.getTime() + config.env.GRADUATE_SESSION_HOURS * 3600_000);
      await db.session.create({ data: { tokenHash: hash, kind: "GRADUATE", wechatUserId: user.id, expiresAt, ip: req.ip, userAgent: req.headers["user-agent"]?.slice(0, 256) } });
      return { token, expiresAt: expiresAt.toISOString(), user: { id: user.id, nickname: user.nickname } };
    },
  );
};
