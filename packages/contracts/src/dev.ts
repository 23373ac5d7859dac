import { z } from "zod";

// Development-only routes (/api/dev/*): registered only beside the fake WeChat server, never in
// production. They stand in for what a browser lacks: wx.login and the WeChat Pay cashier.

export const DevLoginCodeRequestSchema = z.object({ openid: z.string().max(64).optional() }).default({}).meta({ id: "DevLoginCodeRequest" });
export const DevLoginCodeSchema = z.object({ code: z.string(), openid: z.string() }).meta({ id: "DevLoginCode" });

/** What the fake WeChat Pay did: the order it paid and how our notify endpoint answered. */
export const DevPayResultSchema = z
  .object({
    order: z.object({ outTradeNo: z.string(), tradeState: z.string() }).loose(),
    delivery: z.object({ url: z.string(), status: z.number().int(), body: z.string() }).nullable(),
  })
  .meta({ id: "DevPayResult" });
export type DevPayResult = z.infer<typeof DevPayResultSchema>;

export const DevSubscriptionRequestSchema = z.object({ openid: z.string().max(64), templateId: z.string().max(128) }).meta({ id: "DevSubscriptionRequest" });
export const DevAckSchema = z.object({}).loose().meta({ id: "DevAck" });
