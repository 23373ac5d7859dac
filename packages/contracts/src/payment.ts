import { z } from "zod";
import { SubmissionViewSchema } from "./journey.js";

export const OrderViewSchema = z
  .object({
    id: z.string().uuid(),
    outTradeNo: z.string(),
    amountFen: z.number().int(),
    status: z.enum(["CREATED", "PAID", "CLOSED", "REFUNDING", "PARTIALLY_REFUNDED", "REFUNDED"]),
    expiresAt: z.string().datetime(),
    paidAt: z.string().datetime().nullable(),
  })
  .meta({ id: "Order" });

export const RequestPaymentParamsSchema = z
  .object({ timeStamp: z.string(), nonceStr: z.string(), package: z.string(), signType: z.literal("RSA"), paySign: z.string() })
  .meta({ id: "RequestPaymentParams", description: "pass to wx.requestPayment / Taro.requestPayment as is" });

export const CreateOrderResponseSchema = z
  .object({ order: OrderViewSchema, payment: RequestPaymentParamsSchema, paymentContact: z.string() })
  .meta({ id: "CreateOrderResponse" });

export const OrderStatusResponseSchema = z
  .object({ order: OrderViewSchema.nullable(), submission: SubmissionViewSchema, paymentContact: z.string() })
  .meta({ id: "OrderStatusResponse" });

export const RefundRequestSchema = z
  .object({ amountFen: z.number().int().positive().optional().describe("default: the whole remaining amount"), reason: z.string().trim().min(2).max(80) })
  .meta({ id: "RefundRequest" });

export const RefundViewSchema = z
  .object({ id: z.string().uuid(), outRefundNo: z.string(), amountFen: z.number().int(), status: z.enum(["PROCESSING", "SUCCESS", "CLOSED", "ABNORMAL"]), reason: z.string() })
  .meta({ id: "Refund" });
