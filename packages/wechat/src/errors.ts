/**
 * Stable error codes of the WeChat clients. `message` is Chinese and may be shown to users; the
 * technical detail (errcode, HTTP status, WeChat's own code/message) is kept in separate fields.
 */
export const WECHAT_ERROR_MESSAGES = {
  // configuration
  WECHAT_CONFIG_INVALID: "微信接口配置有误，请联系学校或客服。",
  // 小程序 login / access token
  WECHAT_LOGIN_FAILED: "微信登录失败，请重新打开小程序后再试。",
  WECHAT_ACCESS_TOKEN_FAILED: "暂时无法获取微信接口凭证，请稍后再试。",
  WECHAT_UNAVAILABLE: "微信服务暂时不可用，请稍后再试。",
  WECHAT_BAD_RESPONSE: "微信服务返回异常，请稍后再试。",
  // 订阅消息 send outcomes
  WECHAT_SUBSCRIBE_REFUSED: "用户未订阅该消息或已拒收。",
  WECHAT_SUBSCRIBE_BAD_DATA: "订阅消息内容不符合模板要求。",
  WECHAT_SUBSCRIBE_BAD_OPENID: "订阅消息接收者的 openid 无效。",
  WECHAT_SUBSCRIBE_BAD_TEMPLATE: "订阅消息模板 ID 无效。",
  WECHAT_SUBSCRIBE_BAD_PAGE: "订阅消息跳转的页面无效。",
  WECHAT_SUBSCRIBE_RATE_LIMITED: "订阅消息发送次数超出微信限制，请稍后再试。",
  WECHAT_SUBSCRIBE_FAILED: "订阅消息发送失败。",
  // WeChat Pay v3 API calls
  WXPAY_INVALID_INPUT: "支付参数有误。",
  WXPAY_UNAVAILABLE: "微信支付暂时不可用，请稍后再试。",
  WXPAY_REQUEST_FAILED: "微信支付请求失败，请稍后再试或联系客服。",
  WXPAY_ORDER_NOT_FOUND: "未找到该支付订单。",
  WXPAY_RESPONSE_SIGNATURE_INVALID: "微信支付应答验签失败，请稍后再试或联系客服。",
  WXPAY_BAD_RESPONSE: "微信支付返回异常，请稍后再试或联系客服。",
  // WeChat Pay v3 notify callbacks
  WXPAY_NOTIFY_MISSING_HEADERS: "支付通知缺少签名信息。",
  WXPAY_NOTIFY_UNKNOWN_SERIAL: "支付通知的证书序列号或公钥 ID 未知。",
  WXPAY_NOTIFY_STALE: "支付通知的时间戳已过期。",
  WXPAY_NOTIFY_BAD_SIGNATURE: "支付通知验签失败。",
  WXPAY_NOTIFY_BAD_BODY: "支付通知格式有误。",
  WXPAY_NOTIFY_DECRYPT_FAILED: "支付通知解密失败。",
  WXPAY_NOTIFY_WRONG_MERCHANT: "支付通知的商户号或 AppID 与配置不符。",
} as const;

export type WechatErrorCode = keyof typeof WECHAT_ERROR_MESSAGES;

export interface WechatErrorDetails {
  /** Technical detail for logs (never secrets). */
  detail?: string;
  /** 小程序 API errcode (e.g. 40029). */
  errcode?: number;
  /** WeChat's errmsg, for logs. */
  errmsg?: string;
  /** HTTP status of WeChat's answer, when there was one. */
  httpStatus?: number;
  /** WeChat Pay v3 error `code` (e.g. ORDER_NOT_EXIST, SYSTEM_ERROR). */
  wechatCode?: string;
  /** WeChat Pay v3 error `message`, for logs. */
  wechatMessage?: string;
  /** Whether trying again later can succeed (network, 5xx, busy, rate limit). */
  retryable?: boolean;
  cause?: unknown;
}

export class WechatError extends Error {
  override readonly name = "WechatError";
  readonly detail?: string;
  readonly errcode?: number;
  readonly errmsg?: string;
  readonly httpStatus?: number;
  readonly wechatCode?: string;
  readonly wechatMessage?: string;
  readonly retryable: boolean;

  constructor(
    readonly code: WechatErrorCode,
    details: WechatErrorDetails = {},
  ) {
    super(WECHAT_ERROR_MESSAGES[code], details.cause !== undefined ? { cause: details.cause } : undefined);
    this.retryable = details.retryable ?? false;
    if (details.detail !== undefined) this.detail = details.detail;
    if (details.errcode !== undefined) this.errcode = details.errcode;
    if (details.errmsg !== undefined) this.errmsg = details.errmsg;
    if (details.httpStatus !== undefined) this.httpStatus = details.httpStatus;
    if (details.wechatCode !== undefined) this.wechatCode = details.wechatCode;
    if (details.wechatMessage !== undefined) this.wechatMessage = details.wechatMessage;
  }

  toJSON(): Record<string, unknown> {
    return {
      code: this.code,
      message: this.message,
      retryable: this.retryable,
      ...(this.detail !== undefined ? { detail: this.detail } : {}),
      ...(this.errcode !== undefined ? { errcode: this.errcode } : {}),
      ...(this.errmsg !== undefined ? { errmsg: this.errmsg } : {}),
      ...(this.httpStatus !== undefined ? { httpStatus: this.httpStatus } : {}),
      ...(this.wechatCode !== undefined ? { wechatCode: this.wechatCode } : {}),
      ...(this.wechatMessage !== undefined ? { wechatMessage: this.wechatMessage } : {}),
    };
  }
}

export function isWechatError(e: unknown, code?: WechatErrorCode): e is WechatError {
  return e instanceof WechatError && (code === undefined || e.code === code);
}
