import { randomBytes, randomUUID, type KeyObject } from "node:crypto";
import { z } from "zod";
import { firstHeader, json, type FakeRequest, type FakeResponse } from "./http-types.js";
import {
  beijingTime,
  encryptResource,
  randomAlnum,
  randomCertSerial,
  randomDigits,
  randomPublicKeyId,
  signBase64,
  verifyBase64,
  type RsaKeyPair,
} from "./keys.js";

export type FakePlatformMode = "certificate" | "publicKey";

export interface FakePayKeys {
  merchant: RsaKeyPair;
  platformCert: RsaKeyPair;
  platformPub: RsaKeyPair;
  attacker: RsaKeyPair;
  platformCertPem: string;
  platformCertSerial: string;
}

export interface FakePayOptions {
  mchId?: string;
  /** The AppID orders must carry (default: the fake mini-program's). */
  appId?: string;
  /** 32-character APIv3 key. */
  apiV3Key?: string;
  merchantSerialNo?: string;
  publicKeyId?: string;
  /**
   * How the fake signs answers and notifies by default. "publicKey" is a merchant opened since late
   * 2024 (微信支付公钥 only). Requests that carry `Wechatpay-Serial: PUB_KEY_ID_…` always get answers
   * signed with the public key, as WeChat Pay does during the migration. Default "certificate".
   */
  platformMode?: FakePlatformMode;
  /**
   * Finish every refund by itself this many milliseconds after it is requested (SUCCESS, then the
   * signed, encrypted REFUND.SUCCESS notify to its notify_url), as WeChat Pay does. Development only
   * (`npm start`); tests drive completeRefund() themselves. Default: never.
   */
  autoCompleteRefundsAfterMs?: number;
}

export interface FakeOrder {
  appid: string;
  mchid: string;
  outTradeNo: string;
  description: string;
  total: number;
  payerOpenid: string;
  notifyUrl: string;
  prepayId: string;
  timeExpire?: string;
  attach?: string;
  tradeState: "NOTPAY" | "SUCCESS" | "REFUND" | "CLOSED" | "PAYERROR" | "USERPAYING" | "REVOKED";
  transactionId?: string;
  successTime?: string;
  refunded: number;
}

export interface FakeRefund {
  refundId: string;
  outRefundNo: string;
  outTradeNo: string;
  transactionId: string;
  refund: number;
  total: number;
  reason?: string;
  notifyUrl?: string;
  status: "PROCESSING" | "SUCCESS" | "ABNORMAL" | "CLOSED";
  createTime: string;
  successTime?: string;
}

/** A notify callback as the fake would POST it: exact headers and raw body. */
export interface SignedNotify {
  /** The envelope id (stable across deliveries of the same notify). */
  id: string;
  /** Default destination (the order's / refund's notify_url). */
  url?: string;
  headers: Record<string, string>;
  rawBody: string;
  /** Which key signed it. */
  mode: FakePlatformMode;
}

export interface NotifyDelivery {
  url: string;
  notify: SignedNotify;
  status: number;
  body: string;
}

export interface NotifyOptions {
  /** Sign with the platform certificate or the 微信支付公钥 (default: the fake's platform mode). */
  mode?: FakePlatformMode;
  /** Wechatpay-Timestamp in Unix seconds (default now). */
  timestamp?: number;
}

export interface InjectedPayFailure {
  status?: number;
  code?: string;
  message?: string;
  /**
   * The request is carried out (an order made, a refund accepted) and only its answer fails: what the
   * merchant sees when a gateway times out after WeChat Pay did the work.
   */
  afterHandling?: boolean;
}

const Auth = /^WECHATPAY2-SHA256-RSA2048\s+(.+)$/;

const JsapiBody = z.object({
  appid: z.string(),
  mchid: z.string(),
  description: z.string().min(1).max(127),
  out_trade_no: z.string().regex(/^[A-Za-z0-9_\-|*]{6,32}$/),
  time_expire: z.string().optional(),
  attach: z.string().max(128).optional(),
  notify_url: z.string().url(),
  amount: z.object({ total: z.number().int().positive(), currency: z.literal("CNY").optional() }),
  payer: z.object({ openid: z.string().min(1) }),
});

const RefundBody = z.object({
  transaction_id: z.string().optional(),
  out_trade_no: z.string().optional(),
  out_refund_no: z.string().regex(/^[A-Za-z0-9_\-|*@]{1,64}$/),
  reason: z.string().max(80).optional(),
  notify_url: z.string().url().optional(),
  amount: z.object({ refund: z.number().int().positive(), total: z.number().int().positive(), currency: z.literal("CNY") }),
});

const CloseBody = z.object({ mchid: z.string() });

/**
 * The WeChat Pay API v3 half of the fake: checks the merchant's request signatures, keeps orders and
 * refunds, signs every answer with its platform key, and builds/sends signed, encrypted notifies —
 * genuine ones and deliberately broken ones for security tests.
 */
export class FakePay {
  readonly mchId: string;
  readonly appId: string;
  readonly apiV3Key: string;
  readonly merchantSerialNo: string;
  readonly publicKeyId: string;
  platformMode: FakePlatformMode;
  readonly orders = new Map<string, FakeOrder>();
  readonly refunds = new Map<string, FakeRefund>();
  readonly deliveries: NotifyDelivery[] = [];
  /** Every Pay request: method, path and the status answered. */
  readonly requests: { method: string; path: string; status: number }[] = [];
  private readonly injected: InjectedPayFailure[] = [];
  private tamperAnswers = 0;
  private readonly autoRefundMs: number | undefined;
  private readonly autoRefundTimers = new Set<NodeJS.Timeout>();

  constructor(
    private readonly keys: FakePayKeys,
    private readonly baseUrl: () => string,
    options: FakePayOptions & { appId: string },
    private readonly now: () => number = Date.now,
  ) {
    this.mchId = options.mchId ?? `19${randomDigits(8)}`;
    this.appId = options.appId;
    this.apiV3Key = options.apiV3Key ?? randomAlnum(32);
    if (Buffer.byteLength(this.apiV3Key, "utf8") !== 32) throw new Error("fake pay: apiV3Key must be 32 bytes");
    this.merchantSerialNo = options.merchantSerialNo ?? randomCertSerial();
    this.publicKeyId = options.publicKeyId ?? randomPublicKeyId();
    this.platformMode = options.platformMode ?? "certificate";
    this.autoRefundMs = options.autoCompleteRefundsAfterMs;
  }

  /** Cancels pending automatic refund completions (the server is closing). */
  stopTimers(): void {
    for (const t of this.autoRefundTimers) clearTimeout(t);
    this.autoRefundTimers.clear();
  }

  private scheduleRefundCompletion(outRefundNo: string): void {
    if (this.autoRefundMs === undefined) return;
    const t = setTimeout(() => {
      this.autoRefundTimers.delete(t);
      // a failed delivery is recorded in `deliveries`; WeChat would retry, the API can also query
      this.completeRefund(outRefundNo).catch(() => undefined);
    }, this.autoRefundMs);
    t.unref();
    this.autoRefundTimers.add(t);
  }

  // ---------------------------------------------------------------- key material for tests

  get merchantPrivateKeyPem(): string {
    return this.keys.merchant.privateKeyPem;
  }
  get merchantPublicKeyPem(): string {
    return this.keys.merchant.publicKeyPem;
  }
  get merchantPublicKey(): KeyObject {
    return this.keys.merchant.publicKey;
  }
  get platformCertificatePem(): string {
    return this.keys.platformCertPem;
  }
  get platformCertificateSerial(): string {
    return this.keys.platformCertSerial;
  }
  get platformPublicKeyPem(): string {
    return this.keys.platformPub.publicKeyPem;
  }

  /**
   * Options for `new WechatPayClient(...)` (structurally; testkit does not import the client).
   * `mode` picks how the client verifies: the platform certificate, the 微信支付公钥, or both.
   */
  clientOptions(opts: { notifyUrl: string; mode?: FakePlatformMode | "both" }): {
    mchId: string;
    appId: string;
    merchantSerialNo: string;
    merchantPrivateKeyPem: string;
    apiV3Key: string;
    baseUrl: string;
    notifyUrl: string;
    platform:
      | { mode: "certificate"; certificates: Map<string, string> }
      | { mode: "publicKey"; publicKeyId: string; publicKeyPem: string }
      | { mode: "both"; certificates: Map<string, string>; publicKeyId: string; publicKeyPem: string };
  } {
    const mode = opts.mode ?? this.platformMode;
    const certificates = new Map([[this.platformCertificateSerial, this.platformCertificatePem]]);
    const pub = { publicKeyId: this.publicKeyId, publicKeyPem: this.platformPublicKeyPem };
    return {
      mchId: this.mchId,
      appId: this.appId,
      merchantSerialNo: this.merchantSerialNo,
      merchantPrivateKeyPem: this.merchantPrivateKeyPem,
      apiV3Key: this.apiV3Key,
      baseUrl: this.baseUrl(),
      notifyUrl: opts.notifyUrl,
      platform:
        mode === "certificate"
          ? { mode, certificates }
          : mode === "publicKey"
            ? { mode, ...pub }
            : { mode: "both", certificates, ...pub },
    };
  }

  setPlatformMode(mode: FakePlatformMode): void {
    this.platformMode = mode;
  }

  /** The next `n` Pay API calls fail (after the signature check) with this status and code (default 500 SYSTEM_ERROR). */
  failNext(n: number, failure: InjectedPayFailure = {}): void {
    for (let i = 0; i < n; i++) this.injected.push(failure);
  }

  /** The next answer's body is changed after it was signed (a man in the middle). */
  tamperNextAnswer(): void {
    this.tamperAnswers++;
  }

  // ---------------------------------------------------------------- the payer's side

  /**
   * The payer pays: the order becomes SUCCESS, and (unless `notify: false`) a TRANSACTION.SUCCESS
   * notify is POSTed to the order's notify_url (or `url`) and its answer returned.
   */
  async payOrder(
    outTradeNo: string,
    opts: NotifyOptions & { notify?: boolean; url?: string } = {},
  ): Promise<{ order: FakeOrder; notify?: SignedNotify; delivery?: NotifyDelivery }> {
    const order = this.orders.get(outTradeNo);
    if (!order) throw new Error(`fake pay: no order ${outTradeNo}`);
    if (order.tradeState !== "NOTPAY") throw new Error(`fake pay: order ${outTradeNo} is ${order.tradeState}`);
    order.tradeState = "SUCCESS";
    order.transactionId = `42000${randomDigits(23)}`;
    order.successTime = beijingTime(this.now());
    if (opts.notify === false) return { order };
    const notify = this.transactionNotify(outTradeNo, opts);
    const delivery = await this.deliver(notify, opts.url);
    return { order, notify, delivery };
  }

  /** WeChat finishes a refund (default SUCCESS) and, unless `notify: false`, POSTs the REFUND.* notify. */
  async completeRefund(
    outRefundNo: string,
    opts: NotifyOptions & { status?: "SUCCESS" | "ABNORMAL" | "CLOSED"; notify?: boolean; url?: string } = {},
  ): Promise<{ refund: FakeRefund; notify?: SignedNotify; delivery?: NotifyDelivery }> {
    const refund = this.refunds.get(outRefundNo);
    if (!refund) throw new Error(`fake pay: no refund ${outRefundNo}`);
    refund.status = opts.status ?? "SUCCESS";
    if (refund.status === "SUCCESS") refund.successTime = beijingTime(this.now());
    if (opts.notify === false) return { refund };
    const notify = this.refundNotify(outRefundNo, opts);
    const delivery = await this.deliver(notify, opts.url);
    return { refund, notify, delivery };
  }

  // ---------------------------------------------------------------- notifies

  /** A correctly signed and encrypted TRANSACTION.SUCCESS notify for a paid order. */
  transactionNotify(outTradeNo: string, opts: NotifyOptions = {}): SignedNotify {
    const o = this.orders.get(outTradeNo);
    if (!o || !o.transactionId || !o.successTime) throw new Error(`fake pay: order ${outTradeNo} is not paid`);
    const resource = {
      mchid: o.mchid,
      appid: o.appid,
      out_trade_no: o.outTradeNo,
      transaction_id: o.transactionId,
      trade_type: "JSAPI",
      trade_state: "SUCCESS",
      trade_state_desc: "支付成功",
      bank_type: "OTHERS",
      attach: o.attach ?? "",
      success_time: o.successTime,
      payer: { openid: o.payerOpenid },
      amount: { total: o.total, payer_total: o.total, currency: "CNY", payer_currency: "CNY" },
    };
    return this.buildNotify({ eventType: "TRANSACTION.SUCCESS", originalType: "transaction", summary: "支付成功", resource, url: o.notifyUrl, ...opts });
  }

  /** A correctly signed and encrypted REFUND.* notify for a refund. */
  refundNotify(outRefundNo: string, opts: NotifyOptions = {}): SignedNotify {
    const r = this.refunds.get(outRefundNo);
    if (!r) throw new Error(`fake pay: no refund ${outRefundNo}`);
    const o = this.orders.get(r.outTradeNo)!;
    const resource = {
      mchid: this.mchId,
      out_trade_no: r.outTradeNo,
      transaction_id: r.transactionId,
      out_refund_no: r.outRefundNo,
      refund_id: r.refundId,
      refund_status: r.status,
      ...(r.successTime ? { success_time: r.successTime } : {}),
      user_received_account: "支付用户零钱",
      amount: { total: r.total, refund: r.refund, payer_total: r.total, payer_refund: r.refund },
    };
    const eventType = r.status === "SUCCESS" ? "REFUND.SUCCESS" : r.status === "CLOSED" ? "REFUND.CLOSED" : "REFUND.ABNORMAL";
    return this.buildNotify({
      eventType,
      originalType: "refund",
      summary: r.status === "SUCCESS" ? "退款成功" : "退款异常",
      resource,
      url: r.notifyUrl ?? o.notifyUrl,
      ...opts,
    });
  }

  /** Any notify: `resource` is encrypted with the APIv3 key, the body signed with the platform key. */
  buildNotify(p: NotifyOptions & { eventType: string; originalType: string; summary: string; resource: unknown; url?: string }): SignedNotify {
    const enc = encryptResource(this.apiV3Key, JSON.stringify(p.resource), p.originalType);
    const id = randomUUID();
    const rawBody = JSON.stringify({
      id,
      create_time: beijingTime(this.now()),
      resource_type: "encrypt-resource",
      event_type: p.eventType,
      summary: p.summary,
      resource: { original_type: p.originalType, algorithm: "AEAD_AES_256_GCM", ...enc },
    });
    const mode = p.mode ?? this.platformMode;
    return this.signNotify({ id, ...(p.url !== undefined ? { url: p.url } : {}), rawBody, mode }, p.timestamp);
  }

  private signNotify(n: { id: string; url?: string; rawBody: string; mode: FakePlatformMode }, timestamp?: number, key?: KeyObject): SignedNotify {
    const ts = String(timestamp ?? Math.floor(this.now() / 1000));
    const nonce = randomAlnum(32);
    const signer = key ?? (n.mode === "publicKey" ? this.keys.platformPub.privateKey : this.keys.platformCert.privateKey);
    const signature = signBase64(`${ts}\n${nonce}\n${n.rawBody}\n`, signer);
    return {
      ...n,
      headers: {
        "Wechatpay-Timestamp": ts,
        "Wechatpay-Nonce": nonce,
        "Wechatpay-Signature": signature,
        "Wechatpay-Serial": n.mode === "publicKey" ? this.publicKeyId : this.platformCertificateSerial,
        "Wechatpay-Signature-Type": "WECHATPAY2-SHA256-RSA2048",
      },
    };
  }

  /** Same notify, signed by someone else's key under the real serial (forged). */
  forged(n: SignedNotify): SignedNotify {
    return this.signNotify(n, Number(n.headers["Wechatpay-Timestamp"]), this.keys.attacker.privateKey);
  }

  /** Same headers, body changed after signing (default: a space appended to `summary`; `mutate` may change anything). */
  tampered(n: SignedNotify, mutate?: (body: Record<string, unknown>) => void): SignedNotify {
    const body = JSON.parse(n.rawBody) as Record<string, unknown>;
    if (mutate) mutate(body);
    else body.summary = `${String(body.summary)} `;
    return { ...n, rawBody: JSON.stringify(body) };
  }

  /** Same notify, validly signed but with a timestamp `ageSeconds` (default 360) in the past. */
  stale(n: SignedNotify, ageSeconds = 360): SignedNotify {
    return this.signNotify(n, Math.floor(this.now() / 1000) - ageSeconds);
  }

  /** Same notify, validly signed but announcing a serial / public key ID the merchant does not have. */
  withUnknownSerial(n: SignedNotify): SignedNotify {
    const serial = n.mode === "publicKey" ? randomPublicKeyId() : randomCertSerial();
    return { ...n, headers: { ...n.headers, "Wechatpay-Serial": serial } };
  }

  /** POST a notify (replays: deliver the same object twice). Returns the merchant's answer. */
  async deliver(n: SignedNotify, url?: string): Promise<NotifyDelivery> {
    const target = url ?? n.url;
    if (!target) throw new Error("fake pay: no URL to deliver the notify to");
    const res = await fetch(target, {
      method: "POST",
      headers: { ...n.headers, "Content-Type": "application/json", "User-Agent": "Mozilla/4.0" },
      body: n.rawBody,
      signal: AbortSignal.timeout(10_000),
    });
    const delivery: NotifyDelivery = { url: target, notify: n, status: res.status, body: await res.text() };
    this.deliveries.push(delivery);
    return delivery;
  }

  // ---------------------------------------------------------------- HTTP

  handle(req: FakeRequest): FakeResponse | undefined {
    const p = req.url.pathname;
    if (!p.startsWith("/v3/")) return undefined;
    const res = this.route(req);
    this.requests.push({ method: req.method, path: p, status: res.status });
    return res;
  }

  private route(req: FakeRequest): FakeResponse {
    const authError = this.checkAuthorization(req);
    if (authError) return authError;
    const reqSerial = firstHeader(req.headers, "wechatpay-serial");
    if (reqSerial !== undefined && reqSerial !== this.publicKeyId) {
      return this.answer(req, 400, { code: "INVALID_REQUEST", message: "Wechatpay-Serial 对应的微信支付公钥不存在" });
    }
    const injected = this.injected.shift();
    const fail = (f: InjectedPayFailure) => this.answer(req, f.status ?? 500, { code: f.code ?? "SYSTEM_ERROR", message: f.message ?? "系统繁忙，请稍后重试" });
    if (injected && !injected.afterHandling) return fail(injected);
    const res = this.dispatch(req);
    return injected ? fail(injected) : res;
  }

  private dispatch(req: FakeRequest): FakeResponse {
    const p = req.url.pathname;
    let m: RegExpExecArray | null;
    if (req.method === "POST" && p === "/v3/pay/transactions/jsapi") return this.jsapi(req);
    if (req.method === "GET" && (m = /^\/v3\/pay\/transactions\/out-trade-no\/([^/]+)$/.exec(p))) return this.query(req, decodeURIComponent(m[1]!));
    if (req.method === "POST" && (m = /^\/v3\/pay\/transactions\/out-trade-no\/([^/]+)\/close$/.exec(p))) return this.close(req, decodeURIComponent(m[1]!));
    if (req.method === "POST" && p === "/v3/refund/domestic/refunds") return this.refund(req);
    if (req.method === "GET" && (m = /^\/v3\/refund\/domestic\/refunds\/([^/]+)$/.exec(p))) return this.queryRefund(req, decodeURIComponent(m[1]!));
    return this.answer(req, 404, { code: "NOT_FOUND", message: "无效的请求地址" });
  }

  /** Verify `Authorization: WECHATPAY2-SHA256-RSA2048 mchid=…,nonce_str=…,signature=…,timestamp=…,serial_no=…`. */
  private checkAuthorization(req: FakeRequest): FakeResponse | undefined {
    const deny = (message: string): FakeResponse => json(401, { code: "SIGN_ERROR", message });
    const m = Auth.exec(firstHeader(req.headers, "authorization") ?? "");
    if (!m) return deny("缺少 Authorization 或认证类型错误");
    const params: Record<string, string> = {};
    for (const part of m[1]!.matchAll(/(\w+)="([^"]*)"/g)) params[part[1]!] = part[2]!;
    const { mchid, nonce_str, signature, timestamp, serial_no } = params;
    if (!mchid || !nonce_str || !signature || !timestamp || !serial_no) return deny("Authorization 参数不完整");
    if (mchid !== this.mchId) return deny("商户号不存在");
    if (serial_no !== this.merchantSerialNo) return deny("商户证书序列号有误");
    if (Math.abs(Math.floor(this.now() / 1000) - Number(timestamp)) > 300) return deny("时间戳已过期");
    const message = `${req.method}\n${req.rawUrl}\n${timestamp}\n${nonce_str}\n${req.body}\n`;
    if (!verifyBase64(message, signature, this.keys.merchant.publicKey)) return deny("签名错误");
    return undefined;
  }

  /** A signed answer (with the key the request asked for via Wechatpay-Serial, else the platform mode). */
  private answer(req: FakeRequest, status: number, body: unknown): FakeResponse {
    const text = body === undefined ? "" : JSON.stringify(body);
    const usePub = firstHeader(req.headers, "wechatpay-serial") === this.publicKeyId || this.platformMode === "publicKey";
    const ts = String(Math.floor(this.now() / 1000));
    const nonce = randomBytes(16).toString("hex");
    const signature = signBase64(`${ts}\n${nonce}\n${text}\n`, usePub ? this.keys.platformPub.privateKey : this.keys.platformCert.privateKey);
    let sent = text;
    let sentNonce = nonce;
    if (this.tamperAnswers > 0) {
      this.tamperAnswers--;
      // A body is edited; an empty answer (204, which cannot carry a body) gets its signed nonce swapped.
      if (text.length > 0) sent = text.replace(/"(\w+)":"/, '"$1":"X');
      else sentNonce = randomBytes(16).toString("hex");
    }
    return {
      status,
      headers: {
        ...(text.length > 0 ? { "content-type": "application/json; charset=utf-8" } : {}),
        "Request-ID": randomUUID(),
        "Wechatpay-Timestamp": ts,
        "Wechatpay-Nonce": sentNonce,
        "Wechatpay-Signature": signature,
        "Wechatpay-Serial": usePub ? this.publicKeyId : this.platformCertificateSerial,
        "Wechatpay-Signature-Type": "WECHATPAY2-SHA256-RSA2048",
      },
      body: sent,
    };
  }

  private parse<T extends z.ZodType>(req: FakeRequest, schema: T): { ok: true; value: z.infer<T> } | { ok: false; res: FakeResponse } {
    try {
      const r = schema.safeParse(JSON.parse(req.body));
      if (r.success) return { ok: true, value: r.data };
      const issue = r.error.issues[0];
      return { ok: false, res: this.answer(req, 400, { code: "PARAM_ERROR", message: `参数错误：${issue?.path.join(".")} ${issue?.message}` }) };
    } catch {
      return { ok: false, res: this.answer(req, 400, { code: "PARAM_ERROR", message: "请求体不是合法的 JSON" }) };
    }
  }

  private jsapi(req: FakeRequest): FakeResponse {
    const r = this.parse(req, JsapiBody);
    if (!r.ok) return r.res;
    const b = r.value;
    if (b.mchid !== this.mchId) return this.answer(req, 400, { code: "MCH_NOT_EXISTS", message: "商户号不存在" });
    if (b.appid !== this.appId) return this.answer(req, 400, { code: "APPID_MCHID_NOT_MATCH", message: "appid和mch_id不匹配" });
    const existing = this.orders.get(b.out_trade_no);
    if (existing) {
      if (existing.tradeState === "SUCCESS" || existing.tradeState === "REFUND") {
        return this.answer(req, 400, { code: "ORDERPAID", message: "该订单已支付" });
      }
      if (existing.tradeState === "CLOSED") return this.answer(req, 400, { code: "ORDER_CLOSED", message: "订单已关闭" });
      if (existing.total !== b.amount.total || existing.payerOpenid !== b.payer.openid || existing.description !== b.description) {
        return this.answer(req, 400, { code: "INVALID_REQUEST", message: "201 商户订单号重复" });
      }
      return this.answer(req, 200, { prepay_id: existing.prepayId });
    }
    const order: FakeOrder = {
      appid: b.appid,
      mchid: b.mchid,
      outTradeNo: b.out_trade_no,
      description: b.description,
      total: b.amount.total,
      payerOpenid: b.payer.openid,
      notifyUrl: b.notify_url,
      prepayId: `wx${randomDigits(14)}${randomBytes(10).toString("hex")}`,
      ...(b.time_expire !== undefined ? { timeExpire: b.time_expire } : {}),
      ...(b.attach !== undefined ? { attach: b.attach } : {}),
      tradeState: "NOTPAY",
      refunded: 0,
    };
    this.orders.set(order.outTradeNo, order);
    return this.answer(req, 200, { prepay_id: order.prepayId });
  }

  private query(req: FakeRequest, outTradeNo: string): FakeResponse {
    if (req.url.searchParams.get("mchid") !== this.mchId) return this.answer(req, 400, { code: "PARAM_ERROR", message: "mchid 参数错误" });
    const o = this.orders.get(outTradeNo);
    if (!o) return this.answer(req, 404, { code: "ORDER_NOT_EXIST", message: "订单不存在" });
    const paid = o.transactionId !== undefined;
    const desc: Record<FakeOrder["tradeState"], string> = {
      NOTPAY: "订单未支付",
      SUCCESS: "支付成功",
      REFUND: "转入退款",
      CLOSED: "订单已关闭",
      PAYERROR: "支付失败",
      USERPAYING: "用户支付中",
      REVOKED: "已撤销",
    };
    return this.answer(req, 200, {
      appid: o.appid,
      mchid: o.mchid,
      out_trade_no: o.outTradeNo,
      ...(paid ? { transaction_id: o.transactionId, trade_type: "JSAPI", bank_type: "OTHERS", success_time: o.successTime } : {}),
      trade_state: o.tradeState,
      trade_state_desc: desc[o.tradeState],
      attach: o.attach ?? "",
      payer: paid ? { openid: o.payerOpenid } : {},
      amount: paid ? { total: o.total, payer_total: o.total, currency: "CNY", payer_currency: "CNY" } : { total: o.total, currency: "CNY", payer_currency: "CNY" },
    });
  }

  private close(req: FakeRequest, outTradeNo: string): FakeResponse {
    const r = this.parse(req, CloseBody);
    if (!r.ok) return r.res;
    if (r.value.mchid !== this.mchId) return this.answer(req, 400, { code: "PARAM_ERROR", message: "mchid 参数错误" });
    const o = this.orders.get(outTradeNo);
    if (!o) return this.answer(req, 404, { code: "ORDER_NOT_EXIST", message: "订单不存在" });
    if (o.tradeState === "SUCCESS" || o.tradeState === "REFUND") return this.answer(req, 400, { code: "ORDERPAID", message: "订单已支付" });
    o.tradeState = "CLOSED";
    return this.answer(req, 204, undefined);
  }

  private refund(req: FakeRequest): FakeResponse {
    const r = this.parse(req, RefundBody);
    if (!r.ok) return r.res;
    const b = r.value;
    const existing = this.refunds.get(b.out_refund_no);
    if (existing) return this.answer(req, 200, this.refundJson(existing));
    const o = b.out_trade_no
      ? this.orders.get(b.out_trade_no)
      : [...this.orders.values()].find((x) => x.transactionId === b.transaction_id);
    if (!o) return this.answer(req, 404, { code: "RESOURCE_NOT_EXISTS", message: "订单不存在" });
    if (!o.transactionId || (o.tradeState !== "SUCCESS" && o.tradeState !== "REFUND")) {
      return this.answer(req, 400, { code: "INVALID_REQUEST", message: "订单未支付，不能退款" });
    }
    if (b.amount.total !== o.total) return this.answer(req, 400, { code: "PARAM_ERROR", message: "订单金额与实际不一致" });
    if (o.refunded + b.amount.refund > o.total) return this.answer(req, 400, { code: "INVALID_REQUEST", message: "申请退款金额超过订单可退金额" });
    o.refunded += b.amount.refund;
    o.tradeState = "REFUND";
    const refund: FakeRefund = {
      refundId: `50${randomDigits(27)}`,
      outRefundNo: b.out_refund_no,
      outTradeNo: o.outTradeNo,
      transactionId: o.transactionId,
      refund: b.amount.refund,
      total: o.total,
      ...(b.reason !== undefined ? { reason: b.reason } : {}),
      ...(b.notify_url !== undefined ? { notifyUrl: b.notify_url } : {}),
      status: "PROCESSING",
      createTime: beijingTime(this.now()),
    };
    this.refunds.set(refund.outRefundNo, refund);
    this.scheduleRefundCompletion(refund.outRefundNo);
    return this.answer(req, 200, this.refundJson(refund));
  }

  private queryRefund(req: FakeRequest, outRefundNo: string): FakeResponse {
    const r = this.refunds.get(outRefundNo);
    if (!r) return this.answer(req, 404, { code: "RESOURCE_NOT_EXISTS", message: "退款单不存在" });
    return this.answer(req, 200, this.refundJson(r));
  }

  private refundJson(r: FakeRefund): Record<string, unknown> {
    return {
      refund_id: r.refundId,
      out_refund_no: r.outRefundNo,
      transaction_id: r.transactionId,
      out_trade_no: r.outTradeNo,
      channel: "ORIGINAL",
      user_received_account: "支付用户零钱",
      ...(r.successTime ? { success_time: r.successTime } : {}),
      create_time: r.createTime,
      status: r.status,
      funds_account: "AVAILABLE",
      amount: {
        total: r.total,
        refund: r.refund,
        payer_total: r.total,
        payer_refund: r.refund,
        settlement_total: r.total,
        settlement_refund: r.refund,
        discount_refund: 0,
        currency: "CNY",
      },
    };
  }
}
