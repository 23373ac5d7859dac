import { createHash, createHmac, randomUUID } from "node:crypto";
import http from "node:http";
import type { AddressInfo } from "node:net";

/**
 * A fake Tencent Cloud iai endpoint on loopback speaking the real protocol: it verifies the
 * TC3-HMAC-SHA256 signature from the request as received (its own code, not the client's), refuses a
 * wrong key and a timestamp more than 5 minutes off, and answers CompareFace's JSON shapes and error
 * codes. Tests tell it to answer, fail, throttle or hang.
 */
export type FakeMode =
  /** `hold`: the answer waits until it settles (a slow call, held open for as long as a test needs) */
  | { kind: "score"; score: number; version?: string; hold?: Promise<unknown> }
  | { kind: "error"; code: string; message?: string }
  | { kind: "throttle" }
  | { kind: "fail" }
  | { kind: "hang" };

export interface FakeTencent {
  endpoint: string;
  secretId: string;
  secretKey: string;
  /** what the next requests get (the last entry repeats) */
  modes: FakeMode[];
  requests: Array<{
    action: string;
    version: string;
    body: { ImageA?: string; ImageB?: string; FaceModelVersion?: string; [k: string]: unknown };
    authError?: string;
    /** the request as received, for comparing one client's signing with another's */
    raw: { headers: http.IncomingHttpHeaders; body: string };
  }>;
  close(): Promise<void>;
}

const hmac = (k: string | Buffer, s: string) => createHmac("sha256", k).update(s).digest();
const sha = (s: string | Buffer) => createHash("sha256").update(s).digest("hex");

export async function startFakeTencent(opts: { secretId?: string; secretKey?: string; now?: () => number } = {}): Promise<FakeTencent> {
  const secretId = opts.secretId ?? "AKIDfake0000000000000000000000000000";
  const secretKey = opts.secretKey ?? "fakeSecretKey00000000000000000000";
  const now = opts.now ?? (() => Date.now());
  const hanging = new Set<http.ServerResponse>();
  const fake: FakeTencent = { endpoint: "", secretId, secretKey, modes: [{ kind: "score", score: 90, version: "3.0" }], requests: [], close: async () => {} };

  const verify = (req: http.IncomingMessage, body: Buffer): string | null => {
    const auth = String(req.headers.authorization ?? "");
    const m = /^TC3-HMAC-SHA256 Credential=([^/]+)\/(\d{4}-\d{2}-\d{2})\/([^/]+)\/tc3_request, SignedHeaders=([a-z0-9;-]+), Signature=([0-9a-f]{64})$/.exec(auth);
    if (!m) return "AuthFailure.InvalidAuthorization";
    const [, id, date, service, signed, signature] = m as unknown as [string, string, string, string, string, string];
    if (id !== secretId) return "AuthFailure.SecretIdNotFound";
    const ts = Number(req.headers["x-tc-timestamp"]);
    if (!Number.isFinite(ts) || Math.abs(now() / 1000 - ts) > 300) return "AuthFailure.SignatureExpire";
    if (new Date(ts * 1000).toISOString().slice(0, 10) !== date) return "AuthFailure.SignatureFailure";
    // service name: the first label of the host the client addressed (as the SDK derives it)
    if (service !== String(req.headers.host).split(".")[0]!.split(":")[0]) return "AuthFailure.SignatureFailure";
    const names = signed.split(";");
    // the host is signed without its port, as the SDK signs it (the real endpoints carry none)
    const canon = (n: string) => (n === "x-tc-action" ? String(req.headers[n]).toLowerCase() : n === "host" ? new URL(`http://${String(req.headers.host)}`).hostname : String(req.headers[n] ?? "").trim());
    const canonHeaders = names.map((n) => `${n}:${canon(n)}\n`).join("");
    const canonical = `${req.method}\n${req.url}\n\n${canonHeaders}\n${signed}\n${sha(body)}`;
    const toSign = `TC3-HMAC-SHA256\n${ts}\n${date}/${service}/tc3_request\n${sha(canonical)}`;
    const expect = createHmac("sha256", hmac(hmac(hmac("TC3" + secretKey, date), service), "tc3_request")).update(toSign).digest("hex");
    return expect === signature ? null : "AuthFailure.SignatureFailure";
  };

  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c) => chunks.push(c));
    req.on("end", () => {
      const body = Buffer.concat(chunks);
      const requestId = randomUUID();
      const send = (status: number, payload: unknown) => {
        res.writeHead(status, { "content-type": "application/json" });
        res.end(JSON.stringify(payload));
      };
      const error = (code: string, message: string) => send(200, { Response: { Error: { Code: code, Message: message }, RequestId: requestId } });
      let parsed: FakeTencent["requests"][number]["body"] = {};
      try {
        parsed = JSON.parse(body.toString("utf8"));
      } catch {
        /* recorded as empty */
      }
      const authError = verify(req, body) ?? undefined;
      fake.requests.push({ action: String(req.headers["x-tc-action"]), version: String(req.headers["x-tc-version"]), body: parsed, ...(authError ? { authError } : {}), raw: { headers: req.headers, body: body.toString("utf8") } });
      if (authError) return error(authError, authError === "AuthFailure.SignatureExpire" ? "签名过期。" : "签名验证失败。");
      if (req.headers["x-tc-action"] !== "CompareFace" || req.headers["x-tc-version"] !== "2020-03-03") return error("InvalidAction", "接口不存在。");
      const mode = fake.modes.length > 1 ? fake.modes.shift()! : fake.modes[0]!;
      if (mode.kind === "hang") return void hanging.add(res);
      if (mode.kind === "throttle") return error("RequestLimitExceeded", "请求的次数超过了频率限制。");
      if (mode.kind === "fail") return error("InternalError", "内部错误。");
      if (mode.kind === "error") return error(mode.code, mode.message ?? "错误。");
      if (!parsed.ImageA || !parsed.ImageB) return error("InvalidParameterValue.ImageEmpty", "图片为空。");
      const answer = () => send(200, { Response: { Score: mode.score, FaceModelVersion: mode.version ?? "3.0", RequestId: requestId } });
      if (mode.hold) void mode.hold.then(answer, answer);
      else answer();
    });
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  fake.endpoint = `127.0.0.1:${(server.address() as AddressInfo).port}`;
  fake.close = async () => {
    for (const r of hanging) r.destroy();
    await new Promise<void>((r) => server.close(() => r()));
  };
  return fake;
}
