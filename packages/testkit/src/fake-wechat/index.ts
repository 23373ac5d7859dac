import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { json, type FakeRequest, type FakeResponse } from "./http-types.js";
import { generateRsaKeyPair, randomCertSerial, selfSignedCertificate } from "./keys.js";
import { FakeMiniProgram, type FakeMiniProgramOptions } from "./mini-program.js";
import { FakePay, type FakePayKeys, type FakePayOptions } from "./pay.js";

export { FakeMiniProgram, type FakeMiniProgramOptions, type SentSubscribeMessage, type InjectedSendFailure } from "./mini-program.js";
export {
  FakePay,
  type FakePayOptions,
  type FakePlatformMode,
  type FakeOrder,
  type FakeRefund,
  type SignedNotify,
  type NotifyDelivery,
  type NotifyOptions,
  type InjectedPayFailure,
} from "./pay.js";

export interface FakeWechatOptions {
  miniProgram?: FakeMiniProgramOptions;
  pay?: FakePayOptions;
  /** Default 0 (any free port) on 127.0.0.1. */
  port?: number;
}

export interface FakeWechat {
  /** http://127.0.0.1:PORT — the base URL of both api.weixin.qq.com and api.mch.weixin.qq.com. */
  readonly baseUrl: string;
  readonly miniProgram: FakeMiniProgram;
  readonly pay: FakePay;
  /** Every request: method, path (no query: it carries secrets) and status. */
  readonly requests: { method: string; path: string; status: number }[];
  close(): Promise<void>;
}

const MAX_BODY = 1 << 20;

/**
 * Start a fake WeChat on loopback that speaks the real protocols: jscode2session, access tokens,
 * subscribeMessage.send, and WeChat Pay API v3 (JSAPI order, query, close, refund, refund query) with
 * request-signature checks, signed answers and signed + encrypted notifies in both platform modes.
 * Generates its RSA keys (merchant, platform certificate, 微信支付公钥, an attacker's) on start.
 */
export async function startFakeWechat(options: FakeWechatOptions = {}): Promise<FakeWechat> {
  const [merchant, platformCert, platformPub, attacker] = await Promise.all([
    generateRsaKeyPair(),
    generateRsaKeyPair(),
    generateRsaKeyPair(),
    generateRsaKeyPair(),
  ]);
  const platformCertSerial = randomCertSerial();
  const platformCertPem = selfSignedCertificate(platformCert, { serial: platformCertSerial, commonName: "Tenpay.com Root CA (fake platform)" });
  const keys: FakePayKeys = { merchant, platformCert, platformPub, attacker, platformCertPem, platformCertSerial };

  let baseUrl = "";
  const miniProgram = new FakeMiniProgram(() => baseUrl, options.miniProgram);
  const pay = new FakePay(keys, () => baseUrl, { ...options.pay, appId: options.pay?.appId ?? miniProgram.appId });
  const requests: FakeWechat["requests"] = [];

  const server: Server = createServer((req, res) => {
    void serve(req, res);
  });

  async function serve(req: IncomingMessage, res: ServerResponse): Promise<void> {
    let answer: FakeResponse;
    const rawUrl = req.url ?? "/";
    const url = new URL(rawUrl, "http://fake.invalid");
    try {
      const body = await readBody(req);
      const fr: FakeRequest = { method: req.method ?? "GET", rawUrl, url, headers: req.headers, body };
      answer =
        (url.pathname.startsWith("/__fake/") ? await control(fr) : undefined) ??
        miniProgram.handle(fr) ??
        pay.handle(fr) ??
        json(404, { errcode: 404, errmsg: "fake wechat: no such API" });
    } catch (e) {
      answer = json(e instanceof BodyTooLarge ? 413 : 500, { errcode: -1, errmsg: String(e) });
    }
    requests.push({ method: req.method ?? "GET", path: url.pathname, status: answer.status });
    if (answer.delayMs) await new Promise((r) => setTimeout(r, answer.delayMs));
    if (res.destroyed) return; // the caller hung up (or died) before the answer
    res.writeHead(answer.status, answer.headers ?? {});
    res.end(answer.body);
  }

  /**
   * Control API for tests and local development that drive the fake from another process
   * (never part of WeChat's protocols; paths start with /__fake/).
   */
  async function control(fr: FakeRequest): Promise<FakeResponse | undefined> {
    let body: Record<string, unknown> = {};
    try {
      if (fr.body) body = JSON.parse(fr.body) as Record<string, unknown>;
    } catch {
      return json(400, { error: "body is not JSON" });
    }
    const str = (k: string): string | undefined => (typeof body[k] === "string" ? (body[k] as string) : undefined);
    const p = fr.url.pathname;
    let m: RegExpExecArray | null;
    try {
      if (fr.method === "POST" && p === "/__fake/login-code") {
        const openid = str("openid");
        const unionid = str("unionid");
        return json(200, miniProgram.issueLoginCode({ ...(openid ? { openid } : {}), ...(unionid ? { unionid } : {}) }));
      }
      if (fr.method === "POST" && p === "/__fake/subscriptions") {
        miniProgram.grantSubscription(str("openid") ?? "", str("templateId") ?? "", typeof body.count === "number" ? body.count : 1);
        return json(200, {});
      }
      if (fr.method === "POST" && p === "/__fake/templates") {
        miniProgram.defineTemplate(str("templateId") ?? "", Array.isArray(body.keys) ? (body.keys as string[]) : []);
        return json(200, {});
      }
      if (fr.method === "GET" && p === "/__fake/messages") return json(200, miniProgram.sentMessages);
      if (fr.method === "POST" && (m = /^\/__fake\/pay\/orders\/([^/]+)\/pay$/.exec(p))) {
        const r = await pay.payOrder(decodeURIComponent(m[1]!), { notify: body.notify !== false });
        return json(200, { order: r.order, delivery: r.delivery ? { url: r.delivery.url, status: r.delivery.status, body: r.delivery.body } : null });
      }
      if (fr.method === "POST" && (m = /^\/__fake\/pay\/refunds\/([^/]+)\/complete$/.exec(p))) {
        const status = str("status") as "SUCCESS" | "ABNORMAL" | "CLOSED" | undefined;
        const r = await pay.completeRefund(decodeURIComponent(m[1]!), { ...(status ? { status } : {}), notify: body.notify !== false });
        return json(200, { refund: r.refund, delivery: r.delivery ? { url: r.delivery.url, status: r.delivery.status, body: r.delivery.body } : null });
      }
      if (fr.method === "GET" && p === "/__fake/pay/orders") return json(200, [...pay.orders.values()]);
    } catch (e) {
      return json(400, { error: e instanceof Error ? e.message : String(e) });
    }
    return json(404, { error: "no such control endpoint" });
  }

  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port ?? 0, "127.0.0.1", () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  baseUrl = `http://127.0.0.1:${port}`;

  return {
    baseUrl,
    miniProgram,
    pay,
    requests,
    close: () => {
      pay.stopTimers(); // pending automatic refund completions stop with the server
      return new Promise<void>((resolve, reject) => {
        server.close((err) => (err ? reject(err) : resolve()));
        server.closeAllConnections();
      });
    },
  };
}

class BodyTooLarge extends Error {}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on("data", (c: Buffer) => {
      size += c.length;
      if (size > MAX_BODY) {
        reject(new BodyTooLarge("body too large"));
        req.destroy();
        return;
      }
      chunks.push(c);
    });
    req.on("end", () => resolve(Buffer.concat(chunks).toString("utf8")));
    req.on("error", reject);
  });
}
