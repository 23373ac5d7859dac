import { z } from "zod";

/** Error body of WeChat Pay v3: `{ code: "ORDER_NOT_EXIST", message: "订单不存在" }`. */
export const PayErrorBodySchema = z.object({
  code: z.string(),
  message: z.string().optional(),
  detail: z.unknown().optional(),
});

export const TradeStateSchema = z.enum(["SUCCESS", "REFUND", "NOTPAY", "CLOSED", "REVOKED", "USERPAYING", "PAYERROR"]);
export type TradeState = z.infer<typeof TradeStateSchema>;

const fen = z.number().int().nonnegative();

/** Order query answer (GET /v3/pay/transactions/out-trade-no/{no}). Fields after payment are optional before it. */
export const TransactionSchema = z.object({
  appid: z.string(),
  mchid: z.string(),
  out_trade_no: z.string(),
  transaction_id: z.string().optional(),
  trade_type: z.string().optional(),
  trade_state: TradeStateSchema,
  trade_state_desc: z.string().optional(),
  bank_type: z.string().optional(),
  attach: z.string().optional(),
  success_time: z.string().optional(),
  payer: z.object({ openid: z.string().optional() }).optional(),
  amount: z
    .object({
      total: fen.optional(),
      payer_total: fen.optional(),
      currency: z.string().optional(),
      payer_currency: z.string().optional(),
    })
    .optional(),
});
export type Transaction = z.infer<typeof TransactionSchema>;

/** Decrypted resource of a TRANSACTION.SUCCESS notify (original_type "transaction"). */
export const TransactionResourceSchema = z.object({
  appid: z.string(),
  mchid: z.string(),
  out_trade_no: z.string(),
  transaction_id: z.string(),
  trade_type: z.string().optional(),
  trade_state: TradeStateSchema,
  trade_state_desc: z.string().optional(),
  bank_type: z.string().optional(),
  attach: z.string().optional(),
  success_time: z.string(),
  payer: z.object({ openid: z.string() }),
  amount: z.object({
    total: fen,
    payer_total: fen.optional(),
    currency: z.string().optional(),
    payer_currency: z.string().optional(),
  }),
});
export type TransactionResource = z.infer<typeof TransactionResourceSchema>;

export const RefundStatusSchema = z.enum(["SUCCESS", "CLOSED", "PROCESSING", "ABNORMAL"]);
export type RefundStatus = z.infer<typeof RefundStatusSchema>;

/** Refund answer (POST /v3/refund/domestic/refunds, GET …/refunds/{out_refund_no}). */
export const RefundSchema = z.object({
  refund_id: z.string(),
  out_refund_no: z.string(),
  transaction_id: z.string(),
  out_trade_no: z.string(),
  channel: z.string().optional(),
  user_received_account: z.string().optional(),
  success_time: z.string().optional(),
  create_time: z.string().optional(),
  status: RefundStatusSchema,
  funds_account: z.string().optional(),
  amount: z.object({
    total: fen,
    refund: fen,
    payer_total: fen.optional(),
    payer_refund: fen.optional(),
    settlement_total: fen.optional(),
    settlement_refund: fen.optional(),
    discount_refund: fen.optional(),
    currency: z.string().optional(),
  }),
});
export type Refund = z.infer<typeof RefundSchema>;

/** Decrypted resource of a REFUND.SUCCESS / REFUND.ABNORMAL / REFUND.CLOSED notify (original_type "refund"). */
export const RefundResourceSchema = z.object({
  mchid: z.string(),
  out_trade_no: z.string(),
  transaction_id: z.string(),
  out_refund_no: z.string(),
  refund_id: z.string(),
  refund_status: RefundStatusSchema,
  success_time: z.string().optional(),
  user_received_account: z.string().optional(),
  amount: z.object({
    total: fen,
    refund: fen,
    payer_total: fen.optional(),
    payer_refund: fen.optional(),
  }),
});
export type RefundResource = z.infer<typeof RefundResourceSchema>;

/** The notify envelope WeChat Pay POSTs to notify_url. */
export const NotifyEnvelopeSchema = z.object({
  id: z.string().min(1),
  create_time: z.string(),
  event_type: z.string().min(1),
  resource_type: z.literal("encrypt-resource"),
  summary: z.string().optional(),
  resource: z.object({
    algorithm: z.literal("AEAD_AES_256_GCM"),
    ciphertext: z.string().min(1),
    associated_data: z.string().optional(),
    nonce: z.string().min(1),
    original_type: z.string(),
  }),
});
export type NotifyEnvelope = z.infer<typeof NotifyEnvelopeSchema>;

export const PrepaySchema = z.object({ prepay_id: z.string().min(1) });
