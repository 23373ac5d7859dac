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
      answer = miniProgram.handle(fr) ?? pay.handle(fr) ?? json(404, { errcode: 404, errmsg: "fake wechat: no such API" });
    } catch (e) {
      answer = json(e instanceof BodyTooLarge ? 413 : 500, { errcode: -1, errmsg: String(e) });
    }
    requests.push({ method: req.method ?? "GET", path: url.pathname, status: answer.status });
    res.writeHead(answer.status, answer.headers ?? {});
    res.end(answer.body);
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
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((err) => (err ? reject(err) : resolve()));
        server.closeAllConnections();
      }),
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
