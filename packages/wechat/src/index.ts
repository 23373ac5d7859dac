export { WechatError, isWechatError, WECHAT_ERROR_MESSAGES, type WechatErrorCode, type WechatErrorDetails } from "./errors.js";
export type { FetchLike } from "./http.js";
export {
  MiniProgramClient,
  WECHAT_API_BASE,
  type MiniProgramClientOptions,
  type LoginSession,
  type SubscribeMessageInput,
  type SubscribeSendResult,
  type SubscribeFailureCode,
} from "./mini-program.js";
export {
  thing,
  phrase,
  time,
  date,
  characterString,
  truncateChars,
  fieldType,
  normalizeSubscribeData,
  SUBSCRIBE_LIMITS,
  type SubscribeDataInput,
} from "./subscribe-values.js";
export {
  WechatPayClient,
  WXPAY_API_BASE,
  notifyAck,
  notifyFail,
  rfc3339Beijing,
  type WechatPayClientOptions,
  type JsapiOrderInput,
  type RequestPaymentParams,
  type RefundInput,
  type NotifyInput,
  type VerifiedNotify,
} from "./pay/client.js";
export { PlatformKeys, certificateSerial, normalizeSerial, type PlatformConfig, type PlatformKey } from "./pay/platform.js";
export {
  TransactionSchema,
  TransactionResourceSchema,
  RefundSchema,
  RefundResourceSchema,
  NotifyEnvelopeSchema,
  TradeStateSchema,
  RefundStatusSchema,
  type Transaction,
  type TransactionResource,
  type Refund,
  type RefundResource,
  type NotifyEnvelope,
  type TradeState,
  type RefundStatus,
} from "./pay/schemas.js";
export { responseSignMessage, requestSignMessage, decryptResource } from "./pay/crypto.js";
export { miniProgramOptionsFromEnv, wechatPayOptionsFromEnv, certificatesFromPem } from "./config.js";
