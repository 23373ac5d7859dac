import type { FastifyPluginAsyncZod } from "fastify-type-provider-zod";
import { ApiErrorSchema, OkSchema, SubscriptionGrantsSchema } from "@gradphoto/contracts";
import { graduateOf } from "../plugins/auth.js";

/** Records which one-time 订阅消息 templates the graduate accepted in wx.requestSubscribeMessage. */
export const subscriptionRoutes: FastifyPluginAsyncZod = async (app) => {
  const { db } = app.deps;
  app.post(
    "/api/subscriptions",
    {
      config: { auth: "graduate" },
      schema: {
        tags: ["graduate"],
        summary: "Record accepted 订阅消息 templates (one grant = one message)",
        security: [{ bearer: [] }],
        body: SubscriptionGrantsSchema,
        response: { 200: OkSchema, 400: ApiErrorSchema },
      },
    },
    async (req) => {
      const g = graduateOf(req);
      if (req.body.accepted.length) await db.subscriptionGrant.createMany({ data: req.body.accepted.map((templateId) => ({ wechatUserId: g.wechatUserId, templateId })) });
      return { ok: true as const };
    },
  );
};
