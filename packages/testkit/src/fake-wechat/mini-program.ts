import { randomBytes } from "node:crypto";
import { z } from "zod";
import { json, type FakeRequest, type FakeResponse } from "./http-types.js";
import { randomAlnum, randomDigits } from "./keys.js";

export interface FakeMiniProgramOptions {
  appId?: string;
  appSecret?: string;
  /** expires_in of issued access tokens, default 7200 s. */
  tokenExpiresIn?: number;
  /** Templates known to the fake: templateId → its keys, e.g. { "tmpl-1": ["thing1", "phrase2", "time3"] }. */
  templates?: Record<string, string[]>;
}

export interface SentSubscribeMessage {
  msgId: string;
  toUser: string;
  templateId: string;
  page?: string;
  data: Record<string, string>;
  miniprogramState?: string;
  lang?: string;
  at: Date;
}

export interface InjectedSendFailure {
  /** WeChat errcode to answer with (HTTP 200), default -1 (system busy). */
  errcode?: number;
  errmsg?: string;
  /** Answer with this HTTP status instead (e.g. 502), body not JSON. */
  httpStatus?: number;
}

interface TokenState {
  expiresAtMs: number;
  revoked: boolean;
}

const SendBody = z.object({
  touser: z.string(),
  template_id: z.string(),
  page: z.string().optional(),
  data: z.record(z.string(), z.object({ value: z.string() })),
  miniprogram_state: z.string().optional(),
  lang: z.string().optional(),
});

const StableBody = z.object({
  grant_type: z.string(),
  appid: z.string(),
  secret: z.string(),
  force_refresh: z.boolean().optional(),
});

/** Value rules per template field type (WeChat 订阅消息 "参数值内容限制"). */
const VALUE_RULES: Record<string, (v: string) => boolean> = {
  thing: (v) => len(v) >= 1 && len(v) <= 20,
  number: (v) => /^[+-]?\d+(\.\d+)?$/.test(v) && v.length <= 32,
  letter: (v) => /^[A-Za-z]{1,32}$/.test(v),
  symbol: (v) => len(v) >= 1 && len(v) <= 5,
  character_string: (v) => /^[\x21-\x7e]{1,32}$/.test(v),
  time: (v) =>
    /^\d{4}年\d{1,2}月\d{1,2}日( \d{1,2}:\d{2}(:\d{2})?)?$/.test(v) ||
    /^\d{4}-\d{1,2}-\d{1,2}( \d{1,2}:\d{2}(:\d{2})?)?$/.test(v) ||
    /^\d{1,2}:\d{2}$/.test(v),
  date: (v) => /^\d{4}年\d{1,2}月\d{1,2}日( \d{1,2}:\d{2})?$/.test(v) || /^\d{4}-\d{1,2}-\d{1,2}( \d{1,2}:\d{2})?$/.test(v),
  amount: (v) => /^[¥$]?\d{1,10}(\.\d{1,2})?元?$/.test(v),
  phone_number: (v) => /^[\d+\-() ]{1,17}$/.test(v),
  car_number: (v) => len(v) >= 1 && len(v) <= 8,
  name: (v) => (/^[\u4e00-\u9fff·]{1,10}$/.test(v) || /^[A-Za-z .]{1,20}$/.test(v)),
  phrase: (v) => /^[\u4e00-\u9fff]{1,5}$/.test(v),
};

function len(s: string): number {
  return Array.from(s).length;
}

function fieldType(key: string): string {
  return /^([a-z_]+?)\d*$/.exec(key)?.[1] ?? key;
}

/**
 * The 小程序 half of the fake: jscode2session, access tokens (classic and stable) and
 * subscribeMessage.send with WeChat's errcodes. State is public for assertions.
 */
export class FakeMiniProgram {
  readonly appId: string;
  readonly appSecret: string;
  tokenExpiresIn: number;
  /** Calls to /cgi-bin/token and /cgi-bin/stable_token that issued or returned a token. */
  tokenRequests = 0;
  /** stable_token calls with force_refresh: true. */
  forcedRefreshes = 0;
  /** subscribe/send calls received (whatever their outcome). */
  sendAttempts = 0;
  /** Messages WeChat accepted (errcode 0), in order. */
  readonly sentMessages: SentSubscribeMessage[] = [];
  private readonly codes = new Map<string, { openid: string; unionid?: string; expiresAtMs: number; used: boolean }>();
  private readonly users = new Set<string>();
  private readonly templates = new Map<string, string[]>();
  private readonly quota = new Map<string, number>();
  private readonly tokens = new Map<string, TokenState>();
  private stableCurrent: string | undefined;
  private readonly injected: InjectedSendFailure[] = [];
  private readonly delayedAnswers: number[] = [];

  constructor(
    private readonly baseUrl: () => string,
    options: FakeMiniProgramOptions = {},
    private readonly now: () => number = Date.now,
  ) {
    this.appId = options.appId ?? `wx${randomBytes(8).toString("hex")}`;
    this.appSecret = options.appSecret ?? randomBytes(16).toString("hex");
    this.tokenExpiresIn = options.tokenExpiresIn ?? 7200;
    for (const [id, keys] of Object.entries(options.templates ?? {})) this.defineTemplate(id, keys);
  }

  /** Options for `new MiniProgramClient(...)`. */
  clientOptions(): { appId: string; appSecret: string; baseUrl: string } {
    return { appId: this.appId, appSecret: this.appSecret, baseUrl: this.baseUrl() };
  }

  /** A one-time `wx.login` code for a user (valid 5 minutes, like WeChat's). */
  issueLoginCode(user: { openid?: string; unionid?: string } = {}): { code: string; openid: string; unionid?: string } {
    const openid = user.openid ?? `o${randomAlnum(27)}`;
    const code = randomAlnum(32);
    this.users.add(openid);
    this.codes.set(code, {
      openid,
      ...(user.unionid !== undefined ? { unionid: user.unionid } : {}),
      expiresAtMs: this.now() + 5 * 60_000,
      used: false,
    });
    return { code, openid, ...(user.unionid !== undefined ? { unionid: user.unionid } : {}) };
  }

  /** Declare a template and its keys; sends to other template ids get 40037. */
  defineTemplate(templateId: string, keys: string[]): string {
    this.templates.set(templateId, [...keys]);
    return templateId;
  }

  /** The user tapped "允许" for a one-time subscription: `count` messages may be sent. */
  grantSubscription(openid: string, templateId: string, count = 1): void {
    this.users.add(openid);
    const k = `${openid}\u0000${templateId}`;
    this.quota.set(k, (this.quota.get(k) ?? 0) + count);
  }

  subscriptionsLeft(openid: string, templateId: string): number {
    return this.quota.get(`${openid}\u0000${templateId}`) ?? 0;
  }

  /**
   * The next `n` accepted subscribe/send calls are delivered (recorded, subscription used) but
   * answered only after `ms`: a sender that dies or times out meanwhile never learns it succeeded.
   */
  delayNextAcceptedAnswers(n: number, ms: number): void {
    for (let i = 0; i < n; i++) this.delayedAnswers.push(ms);
  }

  /** The next `n` subscribe/send calls fail as given (default errcode -1, system busy). */
  failNextSends(n: number, failure: InjectedSendFailure = {}): void {
    for (let i = 0; i < n; i++) this.injected.push(failure);
  }

  /** Every token issued so far becomes invalid (40001), as after a forced refresh elsewhere. */
  revokeAccessTokens(): void {
    for (const t of this.tokens.values()) t.revoked = true;
    this.stableCurrent = undefined;
  }

  /** Every token issued so far expires (42001). */
  expireAccessTokens(): void {
    for (const t of this.tokens.values()) t.expiresAtMs = Math.min(t.expiresAtMs, this.now() - 1);
    this.stableCurrent = undefined;
  }

  // ---------------------------------------------------------------- HTTP

  handle(req: FakeRequest): FakeResponse | undefined {
    const p = req.url.pathname;
    if (p === "/sns/jscode2session" && req.method === "GET") return this.jscode2session(req);
    if (p === "/cgi-bin/token" && req.method === "GET") return this.classicToken(req);
    if (p === "/cgi-bin/stable_token" && req.method === "POST") return this.stableToken(req);
    if (p === "/cgi-bin/message/subscribe/send" && req.method === "POST") return this.send(req);
    return undefined;
  }

  private credentialError(appid: string | null | undefined, secret: string | null | undefined): FakeResponse | undefined {
    if (appid !== this.appId) return json(200, { errcode: 40013, errmsg: "invalid appid" });
    if (secret !== this.appSecret) return json(200, { errcode: 40125, errmsg: "invalid appsecret" });
    return undefined;
  }

  private jscode2session(req: FakeRequest): FakeResponse {
    const q = req.url.searchParams;
    const bad = this.credentialError(q.get("appid"), q.get("secret"));
    if (bad) return bad;
    if (q.get("grant_type") !== "authorization_code") return json(200, { errcode: 40002, errmsg: "invalid grant_type" });
    const code = q.get("js_code") ?? "";
    const entry = this.codes.get(code);
    if (!entry || entry.expiresAtMs < this.now()) return json(200, { errcode: 40029, errmsg: "invalid code" });
    if (entry.used) return json(200, { errcode: 40163, errmsg: "code been used" });
    entry.used = true;
    // WeChat answers this one as text/plain.
    return {
      status: 200,
      headers: { "content-type": "text/plain" },
      body: JSON.stringify({
        session_key: randomBytes(16).toString("base64"),
        openid: entry.openid,
        ...(entry.unionid !== undefined ? { unionid: entry.unionid } : {}),
      }),
    };
  }

  private issueToken(): string {
    const token = `${randomAlnum(20)}_${randomBytes(48).toString("base64url")}`;
    this.tokens.set(token, { expiresAtMs: this.now() + this.tokenExpiresIn * 1000, revoked: false });
    return token;
  }

  private classicToken(req: FakeRequest): FakeResponse {
    const q = req.url.searchParams;
    if (q.get("grant_type") !== "client_credential") return json(200, { errcode: 40002, errmsg: "invalid grant_type" });
    const bad = this.credentialError(q.get("appid"), q.get("secret"));
    if (bad) return bad;
    this.tokenRequests++;
    return json(200, { access_token: this.issueToken(), expires_in: this.tokenExpiresIn });
  }

  private stableToken(req: FakeRequest): FakeResponse {
    let body: z.infer<typeof StableBody>;
    try {
      body = StableBody.parse(JSON.parse(req.body));
    } catch {
      return json(200, { errcode: 47001, errmsg: "data format error" });
    }
    if (body.grant_type !== "client_credential") return json(200, { errcode: 40002, errmsg: "invalid grant_type" });
    const bad = this.credentialError(body.appid, body.secret);
    if (bad) return bad;
    this.tokenRequests++;
    const now = this.now();
    if (body.force_refresh) {
      this.forcedRefreshes++;
      if (this.stableCurrent) {
        const t = this.tokens.get(this.stableCurrent);
        if (t) t.revoked = true;
      }
      this.stableCurrent = undefined;
    }
    const cur = this.stableCurrent ? this.tokens.get(this.stableCurrent) : undefined;
    // Normal mode: the same token while more than 5 minutes are left, then a new one (the old stays valid).
    if (!this.stableCurrent || !cur || cur.revoked || cur.expiresAtMs - now <= 300_000) this.stableCurrent = this.issueToken();
    const t = this.tokens.get(this.stableCurrent)!;
    return json(200, { access_token: this.stableCurrent, expires_in: Math.floor((t.expiresAtMs - now) / 1000) });
  }

  private send(req: FakeRequest): FakeResponse {
    this.sendAttempts++;
    const injected = this.injected.shift();
    if (injected) {
      if (injected.httpStatus !== undefined) {
        return { status: injected.httpStatus, headers: { "content-type": "text/html" }, body: "<html>bad gateway</html>" };
      }
      return json(200, { errcode: injected.errcode ?? -1, errmsg: injected.errmsg ?? "system error" });
    }
    const token = req.url.searchParams.get("access_token");
    if (!token) return json(200, { errcode: 41001, errmsg: "access_token missing" });
    const t = this.tokens.get(token);
    if (!t || t.revoked) return json(200, { errcode: 40001, errmsg: "invalid credential, access_token is invalid or not latest" });
    if (t.expiresAtMs < this.now()) return json(200, { errcode: 42001, errmsg: "access_token expired" });

    let body: z.infer<typeof SendBody>;
    try {
      body = SendBody.parse(JSON.parse(req.body));
    } catch {
      return json(200, { errcode: 47001, errmsg: "data format error" });
    }
    if (!this.users.has(body.touser)) return json(200, { errcode: 40003, errmsg: "invalid openid" });
    const keys = this.templates.get(body.template_id);
    if (!keys) return json(200, { errcode: 40037, errmsg: "invalid template_id" });
    for (const key of keys) {
      const v = body.data[key]?.value;
      if (v === undefined || v === "") return json(200, { errcode: 47003, errmsg: `argument invalid! data.${key}.value empty` });
      const rule = VALUE_RULES[fieldType(key)];
      if (rule && !rule(v)) return json(200, { errcode: 47003, errmsg: `argument invalid! data.${key}.value invalid` });
    }
    if (body.page !== undefined && !/^[\w\-/.]+(\?.*)?$/.test(body.page)) return json(200, { errcode: 41030, errmsg: "invalid page" });
    if (body.miniprogram_state !== undefined && !["developer", "trial", "formal"].includes(body.miniprogram_state)) {
      return json(200, { errcode: 47003, errmsg: "argument invalid! miniprogram_state" });
    }
    const qk = `${body.touser}\u0000${body.template_id}`;
    const left = this.quota.get(qk) ?? 0;
    if (left <= 0) return json(200, { errcode: 43101, errmsg: "user refuse to accept the msg" });
    this.quota.set(qk, left - 1);
    const msgId = `${1 + Number(randomDigits(1)) % 9}${randomDigits(18)}`;
    const data: Record<string, string> = {};
    for (const [k, v] of Object.entries(body.data)) data[k] = v.value;
    this.sentMessages.push({
      msgId,
      toUser: body.touser,
      templateId: body.template_id,
      ...(body.page !== undefined ? { page: body.page } : {}),
      data,
      ...(body.miniprogram_state !== undefined ? { miniprogramState: body.miniprogram_state } : {}),
      ...(body.lang !== undefined ? { lang: body.lang } : {}),
      at: new Date(this.now()),
    });
    // msgid is a 64-bit number in WeChat's JSON; written raw so clients can keep all its digits.
    return {
      status: 200,
      headers: { "content-type": "application/json; charset=utf-8" },
      body: `{"errcode":0,"errmsg":"ok","msgid":${msgId}}`,
      ...(this.delayedAnswers.length > 0 ? { delayMs: this.delayedAnswers.shift()! } : {}),
    };
  }
}
