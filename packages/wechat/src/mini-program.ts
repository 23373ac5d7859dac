import { z } from "zod";
import { WechatError, WECHAT_ERROR_MESSAGES, type WechatErrorCode } from "./errors.js";
import { DEFAULT_TIMEOUT_MS, NetworkError, httpRequest, joinUrl, redactUrl, type FetchLike, type HttpAnswer } from "./http.js";
import { normalizeSubscribeData, type SubscribeDataInput } from "./subscribe-values.js";

export const WECHAT_API_BASE = "https://api.weixin.qq.com";

export interface MiniProgramClientOptions {
  appId: string;
  appSecret: string;
  /** Default https://api.weixin.qq.com; tests point it at the fake server. */
  baseUrl?: string;
  fetch?: FetchLike;
  /** Per-request timeout, default 10 s. */
  timeoutMs?: number;
  /**
   * "stable" (default): POST /cgi-bin/stable_token — every replica and worker gets the same token and
   * none invalidates another's. "classic": GET /cgi-bin/token.
   */
  tokenEndpoint?: "stable" | "classic";
  /** Refresh the cached token this many seconds before it expires (default 300, at most half its life). */
  tokenRefreshMarginSeconds?: number;
  /** Clock in ms, for tests. */
  now?: () => number;
}

export interface LoginSession {
  openid: string;
  unionid?: string;
  /** Keep server-side only (decrypts wx.getPhoneNumber-style payloads); never send it to the client. */
  sessionKey: string;
}

export interface SubscribeMessageInput {
  /** The recipient's openid. */
  toUser: string;
  templateId: string;
  /** In-app page with query, e.g. "pages/result/index?id=123". */
  page?: string;
  /** Template fields: `{ thing1: "…", time2: time(new Date()) }` or `{ thing1: { value: "…" } }`. */
  data: SubscribeDataInput;
  miniprogramState?: "developer" | "trial" | "formal";
  lang?: "zh_CN" | "en_US" | "zh_HK" | "zh_TW";
}

export type SubscribeFailureCode = Extract<
  WechatErrorCode,
  | "WECHAT_SUBSCRIBE_REFUSED"
  | "WECHAT_SUBSCRIBE_BAD_DATA"
  | "WECHAT_SUBSCRIBE_BAD_OPENID"
  | "WECHAT_SUBSCRIBE_BAD_TEMPLATE"
  | "WECHAT_SUBSCRIBE_BAD_PAGE"
  | "WECHAT_SUBSCRIBE_RATE_LIMITED"
  | "WECHAT_SUBSCRIBE_FAILED"
  | "WECHAT_ACCESS_TOKEN_FAILED"
  | "WECHAT_UNAVAILABLE"
  | "WECHAT_BAD_RESPONSE"
  | "WECHAT_CONFIG_INVALID"
>;

export type SubscribeSendResult =
  | { ok: true; msgId?: string }
  | {
      ok: false;
      /** true: try again later (network, 5xx, -1 busy, token trouble, rate limit); false: never will work. */
      retryable: boolean;
      code: SubscribeFailureCode;
      message: string;
      errcode?: number;
      errmsg?: string;
      httpStatus?: number;
      detail?: string;
    };

/** errcodes meaning "the access token is bad": refresh once and retry. */
const TOKEN_ERRCODES = new Set([40001, 40014, 42001]);
/** Credential errors: a configuration problem, not worth retrying. */
const CREDENTIAL_ERRCODES = new Set([40013, 40125, 40164, 41002, 41004, 40002]);
/** Busy / rate limits. */
const BUSY_ERRCODES = new Set([-1, 45009, 45011]);

const ErrcodeSchema = z.object({ errcode: z.number().int(), errmsg: z.string().optional() });
const SessionSchema = z.object({
  openid: z.string().min(1),
  session_key: z.string().min(1),
  unionid: z.string().min(1).optional(),
});
const TokenSchema = z.object({ access_token: z.string().min(1), expires_in: z.number().int().positive() });
const SendSchema = z.object({ errcode: z.number().int(), errmsg: z.string().optional(), msgid: z.union([z.number(), z.string()]).optional() });

interface CachedToken {
  token: string;
  refreshAtMs: number;
}

export class MiniProgramClient {
  readonly appId: string;
  private readonly appSecret: string;
  private readonly baseUrl: string;
  private readonly fetchImpl: FetchLike;
  private readonly timeoutMs: number;
  private readonly tokenEndpoint: "stable" | "classic";
  private readonly marginMs: number;
  private readonly now: () => number;
  private cached: CachedToken | undefined;
  private inflight: Promise<string> | undefined;
  private lastForcedAtMs = -Infinity;

  constructor(options: MiniProgramClientOptions) {
    if (!options.appId || !options.appSecret) {
      throw new WechatError("WECHAT_CONFIG_INVALID", { detail: "appId and appSecret are required" });
    }
    this.appId = options.appId;
    this.appSecret = options.appSecret;
    this.baseUrl = options.baseUrl ?? WECHAT_API_BASE;
    this.fetchImpl = options.fetch ?? ((input, init) => fetch(input, init));
    this.timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    this.tokenEndpoint = options.tokenEndpoint ?? "stable";
    this.marginMs = (options.tokenRefreshMarginSeconds ?? 300) * 1000;
    this.now = options.now ?? Date.now;
  }

  // ---------------------------------------------------------------- login

  /** `wx.login` code → openid / unionid / session_key. Throws `WECHAT_LOGIN_FAILED` (with errcode) or `WECHAT_UNAVAILABLE`. */
  async code2Session(code: string): Promise<LoginSession> {
    if (typeof code !== "string" || code.length === 0 || code.length > 256 || /\s/.test(code)) {
      throw new WechatError("WECHAT_LOGIN_FAILED", { detail: "login code is empty or malformed" });
    }
    const q = new URLSearchParams({
      appid: this.appId,
      secret: this.appSecret,
      js_code: code,
      grant_type: "authorization_code",
    });
    const url = joinUrl(this.baseUrl, `/sns/jscode2session?${q.toString()}`);
    const answer = await this.exchange(url, { method: "GET" });
    const json = parseJson(answer, url);
    const err = errcodeOf(json);
    if (err) {
      throw new WechatError("WECHAT_LOGIN_FAILED", {
        errcode: err.errcode,
        ...(err.errmsg !== undefined ? { errmsg: err.errmsg } : {}),
        retryable: BUSY_ERRCODES.has(err.errcode),
        detail: `jscode2session errcode ${err.errcode}`,
      });
    }
    const parsed = SessionSchema.safeParse(json);
    if (!parsed.success) {
      throw new WechatError("WECHAT_BAD_RESPONSE", { detail: `jscode2session: ${parsed.error.message}`, retryable: true });
    }
    return {
      openid: parsed.data.openid,
      sessionKey: parsed.data.session_key,
      ...(parsed.data.unionid !== undefined ? { unionid: parsed.data.unionid } : {}),
    };
  }

  // ---------------------------------------------------------------- access token

  /**
   * The access token, cached until shortly before it expires. Concurrent callers share one request.
   * Throws `WECHAT_ACCESS_TOKEN_FAILED` (errcode set; retryable unless the credentials are wrong) or
   * `WECHAT_UNAVAILABLE`.
   */
  async getAccessToken(): Promise<string> {
    const c = this.cached;
    if (c && this.now() < c.refreshAtMs) return c.token;
    return this.refresh(false);
  }

  /**
   * Drop a token WeChat rejected (40001/42001/40014) and get a fresh one. With the stable endpoint, a
   * normal call that returns the same rejected token is followed by one forced refresh (WeChat allows
   * 20 a day, 30 s apart).
   */
  async renewAccessToken(rejected: string): Promise<string> {
    if (this.cached && this.cached.token !== rejected && this.now() < this.cached.refreshAtMs) {
      return this.cached.token; // someone already renewed it
    }
    this.cached = undefined;
    const fresh = await this.refresh(false);
    if (fresh !== rejected || this.tokenEndpoint !== "stable") return fresh;
    if (this.now() - this.lastForcedAtMs < 30_000) return fresh;
    this.lastForcedAtMs = this.now();
    this.cached = undefined;
    return this.refresh(true);
  }

  private refresh(force: boolean): Promise<string> {
    if (this.inflight && !force) return this.inflight;
    const p = this.fetchToken(force).finally(() => {
      if (this.inflight === p) this.inflight = undefined;
    });
    this.inflight = p;
    return p;
  }

  private async fetchToken(force: boolean): Promise<string> {
    let url: string;
    let answer: HttpAnswer;
    if (this.tokenEndpoint === "stable") {
      url = joinUrl(this.baseUrl, "/cgi-bin/stable_token");
      answer = await this.exchange(url, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({
          grant_type: "client_credential",
          appid: this.appId,
          secret: this.appSecret,
          force_refresh: force,
        }),
      });
    } else {
      const q = new URLSearchParams({ grant_type: "client_credential", appid: this.appId, secret: this.appSecret });
      url = joinUrl(this.baseUrl, `/cgi-bin/token?${q.toString()}`);
      answer = await this.exchange(url, { method: "GET" });
    }
    const json = parseJson(answer, url);
    const err = errcodeOf(json);
    if (err) {
      throw new WechatError("WECHAT_ACCESS_TOKEN_FAILED", {
        errcode: err.errcode,
        ...(err.errmsg !== undefined ? { errmsg: err.errmsg } : {}),
        retryable: !CREDENTIAL_ERRCODES.has(err.errcode),
        detail: `access token errcode ${err.errcode}`,
      });
    }
    const parsed = TokenSchema.safeParse(json);
    if (!parsed.success) {
      throw new WechatError("WECHAT_BAD_RESPONSE", { detail: `access token: ${parsed.error.message}`, retryable: true });
    }
    const lifeMs = parsed.data.expires_in * 1000;
    const margin = Math.min(this.marginMs, lifeMs / 2);
    this.cached = { token: parsed.data.access_token, refreshAtMs: this.now() + lifeMs - margin };
    return parsed.data.access_token;
  }

  // ---------------------------------------------------------------- 订阅消息

  /**
   * subscribeMessage.send. Never throws for WeChat or network trouble: the result says whether the
   * failure is retryable. `thing*` values are shortened to 20 characters, `character_string*` to 32.
   */
  async sendSubscribeMessage(input: SubscribeMessageInput): Promise<SubscribeSendResult> {
    let data: Record<string, { value: string }>;
    try {
      data = normalizeSubscribeData(input.data);
    } catch (e) {
      return failure("WECHAT_SUBSCRIBE_BAD_DATA", false, { detail: e instanceof WechatError ? e.detail : String(e) });
    }
    const body = JSON.stringify({
      touser: input.toUser,
      template_id: input.templateId,
      ...(input.page !== undefined ? { page: input.page } : {}),
      data,
      ...(input.miniprogramState !== undefined ? { miniprogram_state: input.miniprogramState } : {}),
      lang: input.lang ?? "zh_CN",
    });

    let token: string;
    try {
      token = await this.getAccessToken();
    } catch (e) {
      return tokenFailure(e);
    }
    for (let attempt = 0; ; attempt++) {
      let answer: HttpAnswer;
      const url = joinUrl(this.baseUrl, `/cgi-bin/message/subscribe/send?access_token=${encodeURIComponent(token)}`);
      try {
        answer = await this.exchange(url, { method: "POST", headers: { "content-type": "application/json" }, body });
      } catch (e) {
        if (e instanceof WechatError) return fromError(e);
        throw e;
      }
      let json: unknown;
      try {
        json = parseJson(answer, url);
      } catch (e) {
        if (e instanceof WechatError) return fromError(e);
        throw e;
      }
      const parsed = SendSchema.safeParse(json);
      if (!parsed.success) {
        return failure("WECHAT_BAD_RESPONSE", true, { detail: `subscribe send: ${parsed.error.message}` });
      }
      const { errcode, errmsg } = parsed.data;
      if (errcode === 0) {
        const msgId = /"msgid"\s*:\s*"?(\d+)/.exec(answer.text)?.[1];
        return msgId !== undefined ? { ok: true, msgId } : { ok: true };
      }
      if (TOKEN_ERRCODES.has(errcode) && attempt === 0) {
        try {
          token = await this.renewAccessToken(token);
        } catch (e) {
          return tokenFailure(e);
        }
        continue;
      }
      const extra = { errcode, ...(errmsg !== undefined ? { errmsg } : {}) };
      switch (errcode) {
        case 43101:
          return failure("WECHAT_SUBSCRIBE_REFUSED", false, extra);
        case 47003:
          return failure("WECHAT_SUBSCRIBE_BAD_DATA", false, extra);
        case 40003:
          return failure("WECHAT_SUBSCRIBE_BAD_OPENID", false, extra);
        case 40037:
          return failure("WECHAT_SUBSCRIBE_BAD_TEMPLATE", false, extra);
        case 41030:
          return failure("WECHAT_SUBSCRIBE_BAD_PAGE", false, extra);
        case 45009:
        case 45011:
        case 45047:
          return failure("WECHAT_SUBSCRIBE_RATE_LIMITED", true, extra);
        case -1:
          return failure("WECHAT_UNAVAILABLE", true, extra);
        default:
          if (TOKEN_ERRCODES.has(errcode)) return failure("WECHAT_ACCESS_TOKEN_FAILED", true, extra);
          return failure("WECHAT_SUBSCRIBE_FAILED", false, extra);
      }
    }
  }

  // ---------------------------------------------------------------- plumbing

  private async exchange(
    url: string,
    init: { method: string; headers?: Record<string, string>; body?: string },
  ): Promise<HttpAnswer> {
    let answer: HttpAnswer;
    try {
      answer = await httpRequest(this.fetchImpl, url, { ...init, timeoutMs: this.timeoutMs });
    } catch (e) {
      if (e instanceof NetworkError) {
        throw new WechatError("WECHAT_UNAVAILABLE", { detail: e.message, retryable: true, cause: e });
      }
      throw e;
    }
    if (answer.status >= 500 || answer.status === 429) {
      throw new WechatError("WECHAT_UNAVAILABLE", {
        httpStatus: answer.status,
        retryable: true,
        detail: `${init.method} ${redactUrl(url)} → HTTP ${answer.status}`,
      });
    }
    if (answer.status !== 200) {
      throw new WechatError("WECHAT_BAD_RESPONSE", {
        httpStatus: answer.status,
        retryable: false,
        detail: `${init.method} ${redactUrl(url)} → HTTP ${answer.status}`,
      });
    }
    return answer;
  }
}

function parseJson(answer: HttpAnswer, url: string): unknown {
  try {
    return JSON.parse(answer.text) as unknown;
  } catch {
    // jscode2session answers with text/plain; anything that is not JSON at all is a broken answer.
    throw new WechatError("WECHAT_BAD_RESPONSE", {
      httpStatus: answer.status,
      retryable: true,
      detail: `${redactUrl(url)}: answer is not JSON`,
    });
  }
}

function errcodeOf(json: unknown): { errcode: number; errmsg?: string } | undefined {
  const r = ErrcodeSchema.safeParse(json);
  if (!r.success || r.data.errcode === 0) return undefined;
  return r.data.errmsg !== undefined ? { errcode: r.data.errcode, errmsg: r.data.errmsg } : { errcode: r.data.errcode };
}

function failure(
  code: SubscribeFailureCode,
  retryable: boolean,
  extra: { errcode?: number; errmsg?: string; httpStatus?: number; detail?: string } = {},
): SubscribeSendResult {
  return { ok: false, retryable, code, message: WECHAT_ERROR_MESSAGES[code], ...extra };
}

function fromError(e: WechatError): SubscribeSendResult {
  const code: SubscribeFailureCode =
    e.code === "WECHAT_UNAVAILABLE" || e.code === "WECHAT_BAD_RESPONSE" || e.code === "WECHAT_ACCESS_TOKEN_FAILED"
      ? e.code
      : "WECHAT_SUBSCRIBE_FAILED";
  return failure(code, e.retryable, {
    ...(e.errcode !== undefined ? { errcode: e.errcode } : {}),
    ...(e.errmsg !== undefined ? { errmsg: e.errmsg } : {}),
    ...(e.httpStatus !== undefined ? { httpStatus: e.httpStatus } : {}),
    ...(e.detail !== undefined ? { detail: e.detail } : {}),
  });
}

function tokenFailure(e: unknown): SubscribeSendResult {
  if (e instanceof WechatError) return fromError(e);
  return failure("WECHAT_ACCESS_TOKEN_FAILED", true, { detail: String(e) });
}
