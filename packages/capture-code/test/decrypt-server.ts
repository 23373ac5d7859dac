import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { hmacHex, requestSigningString, responseSigningString, signatureMatches } from "@gradphoto/capture-code";

export type Mode =
  | { kind: "ok" }
  | { kind: "slow"; delayMs: number }
  | { kind: "status"; status: number; times: number; retryAfter?: number }
  | { kind: "bad-signature" }
  | { kind: "unsigned" }
  | { kind: "malformed"; body: string }
  | { kind: "wrong-request-id" }
  | { kind: "stale-timestamp" };

/**
 * A stand-in for an accredited decryption service on loopback: it checks our HMAC request
 * signature, "decrypts" codes of the form `XX1:<base64url JSON>` and signs its answers.
 */
export class FakeDecryptService {
  mode: Mode = { kind: "ok" };
  requests = 0;
  rejectedSignatures = 0;
  lastBody = "";
  private server: Server | undefined;
  private failuresLeft = 0;

  constructor(
    readonly secret: string,
    readonly clientId: string,
  ) {}

  setMode(mode: Mode): void {
    this.mode = mode;
    this.failuresLeft = mode.kind === "status" ? mode.times : 0;
  }

  async start(): Promise<string> {
    this.server = createServer((req, res) => {
      void this.handle(req, res);
    });
    await new Promise<void>((resolve) => this.server!.listen(0, "127.0.0.1", resolve));
    const { port } = this.server.address() as AddressInfo;
    return `http://127.0.0.1:${port}/v1/decode?tenant=t1`;
  }

  async stop(): Promise<void> {
    this.server?.closeAllConnections();
    await new Promise<void>((resolve) => this.server?.close(() => resolve()) ?? resolve());
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    this.requests++;
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const body = Buffer.concat(chunks).toString("utf8");
    this.lastBody = body;
    const h = (n: string): string => String(req.headers[n] ?? "");
    const nonce = h("x-gp-nonce");
    const expected = hmacHex(
      this.secret,
      requestSigningString({ path: req.url ?? "", clientId: h("x-gp-client-id"), timestamp: h("x-gp-timestamp"), nonce, body }),
    );
    if (h("x-gp-client-id") !== this.clientId || !signatureMatches(h("x-gp-signature"), expected) || Math.abs(Date.now() - Number(h("x-gp-timestamp"))) > 60_000) {
      this.rejectedSignatures++;
      res.writeHead(401).end();
      return;
    }
    const mode = this.mode;
    if (mode.kind === "status" && this.failuresLeft > 0) {
      this.failuresLeft--;
      res.writeHead(mode.status, mode.retryAfter ? { "retry-after": String(mode.retryAfter) } : {}).end("upstream trouble");
      return;
    }
    if (mode.kind === "slow") await new Promise((r) => setTimeout(r, mode.delayMs));
    const request = JSON.parse(body) as { requestId: string; code: string };
    let answer: unknown;
    if (request.code.startsWith("XX1:")) {
      answer = { requestId: request.requestId, result: "OK", fields: JSON.parse(Buffer.from(request.code.slice(4), "base64url").toString("utf8")) };
    } else {
      answer = { requestId: request.requestId, result: "INVALID_CODE", reason: "not a capture code" };
    }
    if (mode.kind === "wrong-request-id") answer = { ...(answer as object), requestId: "00000000-0000-4000-8000-000000000000" };
    const text = mode.kind === "malformed" ? mode.body : JSON.stringify(answer);
    const ts = String(mode.kind === "stale-timestamp" ? Date.now() - 3_600_000 : Date.now());
    const sig = hmacHex(mode.kind === "bad-signature" ? "another secret entirely!" : this.secret, responseSigningString({ status: 200, timestamp: ts, nonce, body: text }));
    const headers: Record<string, string> = { "content-type": "application/json", "x-gp-timestamp": ts };
    if (mode.kind !== "unsigned") headers["x-gp-signature"] = `v1=${sig}`;
    res.writeHead(200, headers).end(text);
  }
}

export function fakeCode(fields: object): string {
  return `XX1:${Buffer.from(JSON.stringify(fields), "utf8").toString("base64url")}`;
}
