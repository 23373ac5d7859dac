import type { KeyObject } from "node:crypto";
import type { z } from "zod";
import { WechatError, type WechatErrorCode } from "../errors.js";
import { DEFAULT_TIMEOUT_MS, NetworkError, httpRequest, joinUrl, type FetchLike, type HttpAnswer } from "../http.js";
import {
  buildAuthorization,
  decryptResource,
  loadPrivateKey,
  nonceStr,
  responseSignMessage,
  rsaSign,
  rsaVerify,
  unixSeconds,
} from "./crypto.js";
import { PlatformKeys, type PlatformConfig } from "./platform.js";
import {
  NotifyEnvelopeSchema,
  PayErrorBodySchema,
  PrepaySchema,
  RefundResourceSchema,
  RefundSchema,
  TransactionResourceSchema,
  TransactionSchema,
  type Refund,
  type RefundResource,
  type Transaction,
  type TransactionResource,
} from "./schemas.js";

export const WXPAY_API_BASE = "https://api.mch.weixin.qq.com";

export interface WechatPayClientOptions {
  /** 商户号. */
  mchId: string;
  /** The mini-program's AppID the orders are for. */
  appId: string;
  /** Serial number of the merchant API certificate (apiclient_cert.pem). */
  merchantSerialNo: string;
  /** Merchant API private key (apiclient_key.pem). */
  merchantPrivateKeyPem: string;
  /** APIv3 key: exactly 32 characters, set in the merchant platform. */
  apiV3Key: string;
  /** How answers and callbacks are verified: platform certificates or the 微信支付公钥. */
  platform: PlatformConfig;
  /** Default https://api.mch.weixin.qq.com; tests point it at the fake server. */
  baseUrl?: string;
  /** Where WeChat Pay POSTs payment notifies (https, no query string in production). */
  notifyUrl: string;
  /** Where refund notifies go; default: notifyUrl. */
  refundNotifyUrl?: string;
  fetch?: FetchLike;
  timeoutMs?: number;
  /** Allowed |now − Wechatpay-Timestamp| for answers and notifies, default 300 s (5 minutes). */
  maxClockSkewSeconds?: number;
  /** Clock in ms, for tests. */
  now?: () => number;
  userAgent?: string;
}

export interface JsapiOrderInput {
  /** Our order number: 6–32 characters of [A-Za-z0-9_-|*], unique per merchant. */
  outTradeNo: string;
  /** Shown to the payer; at most 127 characters. */
  description: string;
  /** Amount in fen (分), a positive integer. */
  amountFen: number;
  payerOpenid: string;
  /** After this the order cannot be paid (time_expire). */
  expiresAt?: Date;
  /** Echoed back in the query and the notify; at most 128 characters. */
  attach?: string;
}

/** Parameters for `wx.requestPayment`. */
export interface RequestPaymentParams {
  timeStamp: string;
  nonceStr: string;
  package: string;
  signType: "RSA";
  paySign: string;
}

export interface RefundInput {
  outTradeNo: string;
  /** Our refund number, unique per merchant: retrying with the same number never refunds twice. */
  outRefundNo: string;
  refundFen: number;
  /** The original order's total in fen. */
  totalFen: number;
  /** Shown to the payer; at most 80 characters. */
  reason?: string;
}

export interface NotifyInput {
  /** Request headers as received (Node IncomingHttpHeaders, a plain object or a Fetch `Headers`). */
  headers: Headers | Readonly<Record<string, string | string[] | undefined>>;
  /** The raw request body, exactly as received: do not re-serialise parsed JSON. */
  rawBody: string | Uint8Array;
  /** Clock for the timestamp check (ms since epoch or a Date); default now. */
  now?: number | Date;
}

interface NotifyMeta {
  /** The notify's own id: store it (or the transaction id) to process each notify exactly once. */
  id: string;
  createTime: string;
  eventType: string;
  summary?: string;
  /** `Wechatpay-Serial` of the notify and which kind of key verified it. */
  serial: string;
  verifiedWith: "certificate" | "publicKey";
}

export type VerifiedNotify =
  | (NotifyMeta & { kind: "transaction"; resource: TransactionResource })
  | (NotifyMeta & { kind: "refund"; resource: RefundResource });

/** Body to answer a notify that was processed (HTTP 200). */
export function notifyAck(): { code: "SUCCESS"; message: string } {
  return { code: "SUCCESS", message: "成功" };
}

/** Body to answer a notify that was rejected or could not be processed (send it with HTTP 4xx/5xx; WeChat Pay retries). */
export function notifyFail(message: string): { code: "FAIL"; message: string } {
  return { code: "FAIL", message };
}

const RETRYABLE_PAY_CODES = new Set(["SYSTEM_ERROR", "FREQUENCY_LIMITED", "BANK_ERROR", "SYSTEMERROR"]);
const OUT_NO = /^[A-Za-z0-9_\-|*]{6,64}$/;

export class WechatPayClient {
  readonly mchId: string;
  readonly appId: string;
  readonly notifyUrl: string;
  private readonly refundNotifyUrl: string;
  private readonly serialNo: string;
  private readonly privateKey: KeyObject;
  private readonly apiV3Key: Buffer;
  private readonly platform: PlatformKeys;
  private readonly baseUrl: string;
  private readonly fetchImpl: FetchLike;
  private readonly timeoutMs: number;
  private readonly skewSec: number;
  private readonly now: () => number;
  private readonly userAgent: string;

  constructor(options: WechatPayClientOptions) {
    const missing = (["mchId", "appId", "merchantSerialNo", "merchantPrivateKeyPem", "apiV3Key", "notifyUrl"] as const).filter(
      (k) => !options[k],
    );
    if (missing.length > 0) throw configError(`missing ${missing.join(", ")}`);
    this.apiV3Key = Buffer.from(options.apiV3Key, "utf8");
    if (this.apiV3Key.length !== 32) throw configError("apiV3Key must be exactly 32 bytes");
    try {
      this.privateKey = loadPrivateKey(options.merchantPrivateKeyPem);
    } catch (e) {
      throw configError("merchantPrivateKeyPem is not a PEM private key", e);
    }
    if (this.privateKey.asymmetricKeyType !== "rsa") throw configError("merchant private key is not RSA");
    this.platform = new PlatformKeys(options.platform);
    this.mchId = options.mchId;
    this.appId = options.appId;
    this.serialNo = options.merchantSerialNo;
    this.notifyUrl = options.notifyUrl;
    this.refundNotifyUrl = options.refundNotifyUrl ?? options.notifyUrl;
    this.baseUrl = options.baseUrl ?? WXPAY_API_BASE;
    this.fetchImpl = options.fetch ?? ((input, init) => fetch(input, init));
    this.timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    this.skewSec = options.maxClockSkewSeconds ?? 300;
    this.now = options.now ?? Date.now;
    this.userAgent = options.userAgent ?? "gradphoto-wechatpay/0.1 (Node.js)";
  }

  // ---------------------------------------------------------------- orders

  /** JSAPI (mini-program) order → prepay_id. Retrying with the same outTradeNo and fields is safe. */
  async createJsapiOrder(input: JsapiOrderInput): Promise<string> {
    if (!OUT_NO.test(input.outTradeNo)) throw configError(`bad outTradeNo ${JSON.stringify(input.outTradeNo)}`, undefined, "WXPAY_INVALID_INPUT");
    if (!Number.isSafeInteger(input.amountFen) || input.amountFen <= 0) {
      throw configError(`amountFen must be a positive integer, got ${input.amountFen}`, undefined, "WXPAY_INVALID_INPUT");
    }
    const body = {
      appid: this.appId,
      mchid: this.mchId,
      description: truncate(input.description, 127),
      out_trade_no: input.outTradeNo,
      ...(input.expiresAt ? { time_expire: rfc3339Beijing(input.expiresAt) } : {}),
      ...(input.attach !== undefined ? { attach: truncate(input.attach, 128) } : {}),
      notify_url: this.notifyUrl,
      amount: { total: input.amountFen, currency: "CNY" },
      payer: { openid: input.payerOpenid },
    };
    const res = await this.call("POST", "/v3/pay/transactions/jsapi", body, PrepaySchema);
    return res.prepay_id;
  }

  /** Parameters for `wx.requestPayment`, signed with the merchant key over "appId\ntimeStamp\nnonceStr\npackage\n". */
  requestPaymentParams(prepayId: string): RequestPaymentParams {
    const timeStamp = unixSeconds(this.now());
    const nonce = nonceStr();
    const pkg = `prepay_id=${prepayId}`;
    const paySign = rsaSign(`${this.appId}\n${timeStamp}\n${nonce}\n${pkg}\n`, this.privateKey);
    return { timeStamp, nonceStr: nonce, package: pkg, signType: "RSA", paySign };
  }

  /** Order query by our order number. Throws `WXPAY_ORDER_NOT_FOUND` when WeChat Pay does not know it. */
  async queryOrder(outTradeNo: string): Promise<Transaction> {
    const path = `/v3/pay/transactions/out-trade-no/${encodeURIComponent(outTradeNo)}?mchid=${encodeURIComponent(this.mchId)}`;
    return this.call("GET", path, undefined, TransactionSchema);
  }

  /** Close an unpaid order (HTTP 204). Closing a paid order fails with `WXPAY_REQUEST_FAILED` (wechatCode ORDERPAID). */
  async closeOrder(outTradeNo: string): Promise<void> {
    await this.call("POST", `/v3/pay/transactions/out-trade-no/${encodeURIComponent(outTradeNo)}/close`, { mchid: this.mchId }, null);
  }

  /** Full or partial refund. The answer's status is usually PROCESSING; the outcome arrives as a REFUND.* notify. */
  async refund(input: RefundInput): Promise<Refund> {
    if (!OUT_NO.test(input.outRefundNo)) throw configError(`bad outRefundNo ${JSON.stringify(input.outRefundNo)}`, undefined, "WXPAY_INVALID_INPUT");
    for (const [k, v] of [["refundFen", input.refundFen], ["totalFen", input.totalFen]] as const) {
      if (!Number.isSafeInteger(v) || v <= 0) throw configError(`${k} must be a positive integer`, undefined, "WXPAY_INVALID_INPUT");
    }
    if (input.refundFen > input.totalFen) throw configError("refundFen exceeds totalFen", undefined, "WXPAY_INVALID_INPUT");
    const body = {
      out_trade_no: input.outTradeNo,
      out_refund_no: input.outRefundNo,
      ...(input.reason ? { reason: truncate(input.reason, 80) } : {}),
      notify_url: this.refundNotifyUrl,
      amount: { refund: input.refundFen, total: input.totalFen, currency: "CNY" },
    };
    return this.call("POST", "/v3/refund/domestic/refunds", body, RefundSchema);
  }

  /** Refund query by our refund number. */
  async queryRefund(outRefundNo: string): Promise<Refund> {
    return this.call("GET", `/v3/refund/domestic/refunds/${encodeURIComponent(outRefundNo)}`, undefined, RefundSchema);
  }

  // ---------------------------------------------------------------- notify callbacks

  /**
   * Verify a notify callback over its raw body and decrypt its resource. Order of checks: headers
   * present → timestamp within ±5 minutes → serial known → RSA-SHA256 signature → envelope shape →
   * AES-256-GCM decryption → resource shape → mchid/appid. Throws a `WechatError` with a
   * WXPAY_NOTIFY_* code on the first failure. Replays are not detected here: process each `id` /
   * transaction id once.
   */
  verifyAndDecryptNotify(input: NotifyInput): VerifiedNotify {
    const ts = header(input.headers, "wechatpay-timestamp");
    const nonce = header(input.headers, "wechatpay-nonce");
    const signature = header(input.headers, "wechatpay-signature");
    const serial = header(input.headers, "wechatpay-serial");
    if (!ts || !nonce || !signature || !serial) {
      throw new WechatError("WXPAY_NOTIFY_MISSING_HEADERS", {
        detail: `missing ${[["Wechatpay-Timestamp", ts], ["Wechatpay-Nonce", nonce], ["Wechatpay-Signature", signature], ["Wechatpay-Serial", serial]]
          .filter(([, v]) => !v)
          .map(([k]) => k)
          .join(", ")}`,
      });
    }
    const nowMs = input.now === undefined ? this.now() : typeof input.now === "number" ? input.now : input.now.getTime();
    this.checkTimestamp(ts, nowMs, "WXPAY_NOTIFY_STALE");
    const key = this.platform.keyFor(serial, nowMs);
    if (!key) {
      throw new WechatError("WXPAY_NOTIFY_UNKNOWN_SERIAL", { detail: `Wechatpay-Serial ${serial} is not configured (${this.platform.mode} mode)` });
    }
    const raw = typeof input.rawBody === "string" ? Buffer.from(input.rawBody, "utf8") : Buffer.from(input.rawBody);
    if (signature.startsWith("WECHATPAY/SIGNTEST/") || !rsaVerify(responseSignMessage(ts, nonce, raw), signature, key.key)) {
      throw new WechatError("WXPAY_NOTIFY_BAD_SIGNATURE", { detail: `signature does not verify with ${key.kind} ${key.serial}` });
    }

    let envelopeJson: unknown;
    try {
      envelopeJson = JSON.parse(raw.toString("utf8"));
    } catch {
      throw new WechatError("WXPAY_NOTIFY_BAD_BODY", { detail: "body is not JSON" });
    }
    const env = NotifyEnvelopeSchema.safeParse(envelopeJson);
    if (!env.success) throw new WechatError("WXPAY_NOTIFY_BAD_BODY", { detail: env.error.message });
    const e = env.data;

    let plain: string;
    try {
      plain = decryptResource(this.apiV3Key, e.resource);
    } catch (err) {
      throw new WechatError("WXPAY_NOTIFY_DECRYPT_FAILED", { detail: err instanceof Error ? err.message : String(err), cause: err });
    }
    let resourceJson: unknown;
    try {
      resourceJson = JSON.parse(plain);
    } catch {
      throw new WechatError("WXPAY_NOTIFY_BAD_BODY", { detail: "decrypted resource is not JSON" });
    }

    const meta: NotifyMeta = {
      id: e.id,
      createTime: e.create_time,
      eventType: e.event_type,
      ...(e.summary !== undefined ? { summary: e.summary } : {}),
      serial: key.serial,
      verifiedWith: key.kind,
    };
    const kind = e.event_type.startsWith("TRANSACTION.")
      ? "transaction"
      : e.event_type.startsWith("REFUND.")
        ? "refund"
        : e.resource.original_type;
    if (kind === "transaction") {
      const r = TransactionResourceSchema.safeParse(resourceJson);
      if (!r.success) throw new WechatError("WXPAY_NOTIFY_BAD_BODY", { detail: `transaction resource: ${r.error.message}` });
      if (r.data.mchid !== this.mchId || r.data.appid !== this.appId) {
        throw new WechatError("WXPAY_NOTIFY_WRONG_MERCHANT", { detail: `mchid ${r.data.mchid} appid ${r.data.appid}` });
      }
      return { ...meta, kind: "transaction", resource: r.data };
    }
    if (kind === "refund") {
      const r = RefundResourceSchema.safeParse(resourceJson);
      if (!r.success) throw new WechatError("WXPAY_NOTIFY_BAD_BODY", { detail: `refund resource: ${r.error.message}` });
      if (r.data.mchid !== this.mchId) {
        throw new WechatError("WXPAY_NOTIFY_WRONG_MERCHANT", { detail: `mchid ${r.data.mchid}` });
      }
      return { ...meta, kind: "refund", resource: r.data };
    }
    throw new WechatError("WXPAY_NOTIFY_BAD_BODY", { detail: `unsupported event_type ${e.event_type}` });
  }

  notifyAck(): { code: "SUCCESS"; message: string } {
    return notifyAck();
  }

  notifyFail(message: string): { code: "FAIL"; message: string } {
    return notifyFail(message);
  }

  // ---------------------------------------------------------------- plumbing

  private checkTimestamp(ts: string, nowMs: number, code: "WXPAY_NOTIFY_STALE" | "WXPAY_RESPONSE_SIGNATURE_INVALID"): void {
    if (!/^\d{1,12}$/.test(ts)) throw new WechatError(code, { detail: `bad Wechatpay-Timestamp ${JSON.stringify(ts)}` });
    const delta = Math.floor(nowMs / 1000) - Number(ts);
    if (Math.abs(delta) > this.skewSec) {
      throw new WechatError(code, {
        detail: delta > 0 ? `timestamp is ${delta} s old (limit ${this.skewSec} s)` : `timestamp is ${-delta} s in the future`,
      });
    }
  }

  private async call<S extends z.ZodType>(method: "GET" | "POST", path: string, body: unknown, schema: S): Promise<z.infer<S>>;
  private async call(method: "GET" | "POST", path: string, body: unknown, schema: null): Promise<void>;
  private async call(method: "GET" | "POST", path: string, body: unknown, schema: z.ZodType | null): Promise<unknown> {
    const url = joinUrl(this.baseUrl, path);
    const u = new URL(url);
    const bodyText = body === undefined ? "" : JSON.stringify(body);
    const headers: Record<string, string> = {
      Authorization: buildAuthorization({
        mchId: this.mchId,
        serialNo: this.serialNo,
        privateKey: this.privateKey,
        method,
        pathAndQuery: u.pathname + u.search,
        body: bodyText,
        nowMs: this.now(),
      }),
      Accept: "application/json",
      "User-Agent": this.userAgent,
    };
    if (body !== undefined) headers["Content-Type"] = "application/json";
    if (this.platform.publicKeyId) headers["Wechatpay-Serial"] = this.platform.publicKeyId;

    let answer: HttpAnswer;
    try {
      answer = await httpRequest(this.fetchImpl, url, {
        method,
        headers,
        ...(body !== undefined ? { body: bodyText } : {}),
        timeoutMs: this.timeoutMs,
      });
    } catch (e) {
      if (e instanceof NetworkError) throw new WechatError("WXPAY_UNAVAILABLE", { detail: e.message, retryable: true, cause: e });
      throw e;
    }

    const ok = answer.status >= 200 && answer.status < 300;
    const signed = answer.headers.get("wechatpay-signature") !== null;
    // A successful answer must be signed; an error answer is verified when it carries a signature.
    if (ok || signed) this.verifyAnswer(answer, `${method} ${u.pathname}`);

    if (!ok) throw this.errorFrom(answer, `${method} ${u.pathname}`);
    if (schema === null) return undefined;
    let json: unknown;
    try {
      json = JSON.parse(answer.text);
    } catch {
      throw new WechatError("WXPAY_BAD_RESPONSE", { httpStatus: answer.status, detail: `${method} ${u.pathname}: answer is not JSON` });
    }
    const parsed = schema.safeParse(json);
    if (!parsed.success) {
      throw new WechatError("WXPAY_BAD_RESPONSE", { httpStatus: answer.status, detail: `${method} ${u.pathname}: ${parsed.error.message}` });
    }
    return parsed.data;
  }

  private verifyAnswer(answer: HttpAnswer, what: string): void {
    const ts = answer.headers.get("wechatpay-timestamp");
    const nonce = answer.headers.get("wechatpay-nonce");
    const signature = answer.headers.get("wechatpay-signature");
    const serial = answer.headers.get("wechatpay-serial");
    const fail = (detail: string): WechatError =>
      new WechatError("WXPAY_RESPONSE_SIGNATURE_INVALID", { httpStatus: answer.status, detail: `${what}: ${detail}` });
    if (!ts || !nonce || !signature || !serial) throw fail("answer is not signed");
    const nowMs = this.now();
    this.checkTimestamp(ts, nowMs, "WXPAY_RESPONSE_SIGNATURE_INVALID");
    const key = this.platform.keyFor(serial, nowMs);
    if (!key) throw fail(`unknown Wechatpay-Serial ${serial} (${this.platform.mode} mode)`);
    if (!rsaVerify(responseSignMessage(ts, nonce, answer.text), signature, key.key)) {
      throw fail(`signature does not verify with ${key.kind} ${key.serial}`);
    }
  }

  private errorFrom(answer: HttpAnswer, what: string): WechatError {
    let wechatCode: string | undefined;
    let wechatMessage: string | undefined;
    try {
      const parsed = PayErrorBodySchema.safeParse(JSON.parse(answer.text));
      if (parsed.success) {
        wechatCode = parsed.data.code;
        wechatMessage = parsed.data.message;
      }
    } catch {
      // not JSON (a gateway page): keep the status only
    }
    const retryable =
      answer.status >= 500 || answer.status === 429 || (wechatCode !== undefined && RETRYABLE_PAY_CODES.has(wechatCode));
    const code: WechatErrorCode =
      answer.status === 404 && (wechatCode === "ORDER_NOT_EXIST" || wechatCode === "RESOURCE_NOT_EXISTS")
        ? "WXPAY_ORDER_NOT_FOUND"
        : answer.status >= 500 && wechatCode === undefined
          ? "WXPAY_UNAVAILABLE"
          : "WXPAY_REQUEST_FAILED";
    return new WechatError(code, {
      httpStatus: answer.status,
      retryable,
      detail: `${what} → HTTP ${answer.status}${wechatCode ? ` ${wechatCode}` : ""}`,
      ...(wechatCode !== undefined ? { wechatCode } : {}),
      ...(wechatMessage !== undefined ? { wechatMessage } : {}),
    });
  }
}

function header(headers: NotifyInput["headers"], name: string): string | undefined {
  if (typeof (headers as Headers).get === "function" && typeof (headers as Headers).has === "function") {
    return (headers as Headers).get(name) ?? undefined;
  }
  const rec = headers as Readonly<Record<string, string | string[] | undefined>>;
  for (const [k, v] of Object.entries(rec)) {
    if (k.toLowerCase() !== name) continue;
    const s = Array.isArray(v) ? v[0] : v;
    return s === undefined || s === "" ? undefined : s;
  }
  return undefined;
}

/** RFC 3339 in Beijing time, as WeChat Pay writes times: 2024-06-01T15:01:00+08:00. */
export function rfc3339Beijing(d: Date): string {
  const b = new Date(d.getTime() + 8 * 3600_000);
  const p = (n: number): string => String(n).padStart(2, "0");
  return `${b.getUTCFullYear()}-${p(b.getUTCMonth() + 1)}-${p(b.getUTCDate())}T${p(b.getUTCHours())}:${p(b.getUTCMinutes())}:${p(b.getUTCSeconds())}+08:00`;
}

function truncate(s: string, max: number): string {
  const chars = Array.from(s);
  return chars.length <= max ? s : chars.slice(0, max).join("");
}

function configError(detail: string, cause?: unknown, code: WechatErrorCode = "WECHAT_CONFIG_INVALID"): WechatError {
  return new WechatError(code, { detail, ...(cause !== undefined ? { cause } : {}) });
}
