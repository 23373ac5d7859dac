import { createHash, createHmac, randomBytes, randomUUID, timingSafeEqual } from "node:crypto";
import { setTimeout as sleep } from "node:timers/promises";
import { z } from "zod";
import { CaptureCodeError, isCaptureCodeError } from "../errors.js";
import { redactRaw, silentLogger, type Logger } from "../redact.js";
import { CircuitBreaker } from "./circuit.js";
import { CaptureCodeFieldsSchema, type CaptureCodeFields, type CaptureCodeProvider, type DecodeContext } from "./types.js";

/**
 * The `http` provider: an accredited deployment's decryption service.
 *
 * Request  POST <url>, JSON `{ requestId, code, schoolCode? }`, headers
 *   x-gp-client-id, x-gp-timestamp (Unix ms), x-gp-nonce (32 hex),
 *   x-gp-signature: `v1=` + hex HMAC-SHA256(secret,
 *     "v1\nPOST\n<path+query>\n<clientId>\n<timestamp>\n<nonce>\n<hex SHA-256 of body>")
 * Response 200, JSON `{ requestId, result: "OK", fields }` or `{ requestId, result: "INVALID_CODE", reason? }`,
 *   headers x-gp-timestamp and
 *   x-gp-signature: `v1=` + hex HMAC-SHA256(secret,
 *     "v1\nRESPONSE\n<status>\n<timestamp>\n<request nonce>\n<hex SHA-256 of body>")
 * The response signature binds the answer to our request (nonce) and to its body; timestamps
 * must lie within `maxClockSkewMs`.
 */
export const HttpProviderConfigSchema = z
  .object({
    url: z.url({ protocol: /^https?$/ }),
    clientId: z.string().min(1).max(128),
    /** Name of the environment variable that holds the shared HMAC secret. */
    secretEnv: z.string().regex(/^[A-Z][A-Z0-9_]*$/),
    timeoutMs: z.number().int().min(50).max(60_000).default(5_000),
    retries: z.number().int().min(0).max(5).default(2),
    backoffMs: z.number().int().min(0).max(10_000).default(200),
    maxBackoffMs: z.number().int().min(0).max(60_000).default(2_000),
    maxClockSkewMs: z.number().int().min(1_000).max(3_600_000).default(300_000),
    breaker: z
      .object({
        failureThreshold: z.number().int().min(1).max(100).default(5),
        cooldownMs: z.number().int().min(100).max(3_600_000).default(30_000),
      })
      .strict()
      .default({ failureThreshold: 5, cooldownMs: 30_000 }),
    /** Plain http is refused except on loopback unless this is set. */
    allowInsecureHttp: z.boolean().default(false),
  })
  .strict();
export type HttpProviderConfig = z.output<typeof HttpProviderConfigSchema>;
export type HttpProviderConfigInput = z.input<typeof HttpProviderConfigSchema>;

export const HttpAnswerSchema = z.discriminatedUnion("result", [
  z.object({ requestId: z.string(), result: z.literal("OK"), fields: CaptureCodeFieldsSchema }),
  z.object({ requestId: z.string(), result: z.literal("INVALID_CODE"), reason: z.string().max(500).optional() }),
]);
export type HttpAnswer = z.infer<typeof HttpAnswerSchema>;

export const SIGNATURE_VERSION = "v1";

export function sha256HexBytes(data: string | Uint8Array): string {
  return createHash("sha256").update(data).digest("hex");
}

export function hmacHex(secret: string, message: string): string {
  return createHmac("sha256", secret).update(message, "utf8").digest("hex");
}

export function requestSigningString(p: { path: string; clientId: string; timestamp: string; nonce: string; body: string }): string {
  return [SIGNATURE_VERSION, "POST", p.path, p.clientId, p.timestamp, p.nonce, sha256HexBytes(p.body)].join("\n");
}

export function responseSigningString(p: { status: number; timestamp: string; nonce: string; body: string }): string {
  return [SIGNATURE_VERSION, "RESPONSE", String(p.status), p.timestamp, p.nonce, sha256HexBytes(p.body)].join("\n");
}

/** Constant-time comparison of `v1=<hex>` signatures. */
export function signatureMatches(header: string | null | undefined, expectedHex: string): boolean {
  if (!header || !header.startsWith(`${SIGNATURE_VERSION}=`)) return false;
  const got = Buffer.from(header.slice(SIGNATURE_VERSION.length + 1), "hex");
  const want = Buffer.from(expectedHex, "hex");
  return got.length === want.length && timingSafeEqual(got, want);
}

export interface HttpProviderDeps {
  secret: string;
  logger?: Logger;
  fetch?: typeof fetch;
  now?: () => number;
  /** Injected for tests; defaults to a timer. */
  sleep?: (ms: number) => Promise<void>;
  random?: () => number;
}

/** Failure of one attempt; `retry` tells whether another attempt may help. */
class AttemptError extends Error {
  constructor(
    readonly code: "PROVIDER_UNAVAILABLE" | "PROVIDER_BAD_RESPONSE" | "PROVIDER_CONFIG_INVALID",
    readonly detail: string,
    readonly retry: boolean,
    readonly retryAfterMs?: number,
  ) {
    super(detail);
  }
}

function isLoopback(u: URL): boolean {
  return u.hostname === "localhost" || u.hostname === "127.0.0.1" || u.hostname === "[::1]";
}

export class HttpProvider implements CaptureCodeProvider {
  readonly name = "http";
  readonly config: HttpProviderConfig;
  readonly breaker: CircuitBreaker;
  private readonly url: URL;
  private readonly secret: string;
  private readonly logger: Logger;
  private readonly fetchImpl: typeof fetch;
  private readonly now: () => number;
  private readonly sleep: (ms: number) => Promise<void>;
  private readonly random: () => number;

  constructor(config: HttpProviderConfigInput, deps: HttpProviderDeps) {
    const parsed = HttpProviderConfigSchema.safeParse(config);
    if (!parsed.success) throw new CaptureCodeError("PROVIDER_CONFIG_INVALID", z.prettifyError(parsed.error));
    this.config = parsed.data;
    this.url = new URL(this.config.url);
    if (this.url.protocol === "http:" && !isLoopback(this.url) && !this.config.allowInsecureHttp) {
      throw new CaptureCodeError("PROVIDER_CONFIG_INVALID", "http provider URL must use https");
    }
    if (!deps.secret || deps.secret.length < 16) {
      throw new CaptureCodeError("PROVIDER_CONFIG_INVALID", `secret ${this.config.secretEnv} missing or shorter than 16 characters`);
    }
    this.secret = deps.secret;
    this.logger = deps.logger ?? silentLogger;
    this.fetchImpl = deps.fetch ?? fetch;
    this.now = deps.now ?? Date.now;
    this.sleep = deps.sleep ?? ((ms) => sleep(ms));
    this.random = deps.random ?? Math.random;
    this.breaker = new CircuitBreaker({ ...this.config.breaker, now: this.now });
  }

  async decode(raw: string, ctx: DecodeContext = {}): Promise<CaptureCodeFields> {
    const code = raw.trim();
    if (!code || code.length > 8192) throw new CaptureCodeError("CODE_INVALID", `code length ${code.length}`);
    if (!this.breaker.tryAcquire()) {
      throw new CaptureCodeError("PROVIDER_UNAVAILABLE", "circuit open");
    }
    const total = this.config.retries + 1;
    let last: AttemptError | undefined;
    for (let attempt = 1; attempt <= total; attempt++) {
      try {
        const answer = await this.attempt(code, ctx);
        this.breaker.onSuccess();
        if (answer.result === "INVALID_CODE") {
          throw new CaptureCodeError("CODE_INVALID", `service: ${answer.reason ?? "invalid code"}`);
        }
        return answer.fields;
      } catch (e) {
        if (isCaptureCodeError(e)) throw e;
        if (ctx.signal?.aborted) {
          this.breaker.release();
          throw new CaptureCodeError("PROVIDER_UNAVAILABLE", "aborted by caller", { cause: e });
        }
        last = e instanceof AttemptError ? e : new AttemptError("PROVIDER_UNAVAILABLE", String(e), true);
        this.logger.warn(
          { provider: this.name, code: redactRaw(code), attempt, of: total, error: last.code, detail: last.detail },
          "capture code provider attempt failed",
        );
        if (!last.retry || attempt === total) break;
        const backoff = Math.min(this.config.maxBackoffMs, this.config.backoffMs * 2 ** (attempt - 1));
        const jittered = backoff / 2 + (this.random() * backoff) / 2;
        await this.sleep(Math.min(this.config.maxBackoffMs, Math.max(jittered, last.retryAfterMs ?? 0)));
      }
    }
    this.breaker.onFailure();
    const err = last ?? new AttemptError("PROVIDER_UNAVAILABLE", "no attempt made", false);
    throw new CaptureCodeError(err.code, err.detail);
  }

  private async attempt(code: string, ctx: DecodeContext): Promise<HttpAnswer> {
    const requestId = randomUUID();
    const body = JSON.stringify({ requestId, code, ...(ctx.schoolCode ? { schoolCode: ctx.schoolCode } : {}) });
    const timestamp = String(this.now());
    const nonce = randomBytes(16).toString("hex");
    const path = this.url.pathname + this.url.search;
    const signature = hmacHex(this.secret, requestSigningString({ path, clientId: this.config.clientId, timestamp, nonce, body }));
    const timeout = AbortSignal.timeout(this.config.timeoutMs);
    const signal = ctx.signal ? AbortSignal.any([ctx.signal, timeout]) : timeout;
    let res: Response;
    let text: string;
    try {
      res = await this.fetchImpl(this.url, {
        method: "POST",
        headers: {
          "content-type": "application/json; charset=utf-8",
          accept: "application/json",
          "x-gp-client-id": this.config.clientId,
          "x-gp-timestamp": timestamp,
          "x-gp-nonce": nonce,
          "x-gp-signature": `${SIGNATURE_VERSION}=${signature}`,
        },
        body,
        signal,
        redirect: "error",
      });
      text = await res.text();
    } catch (e) {
      const timedOut = timeout.aborted;
      throw new AttemptError(
        "PROVIDER_UNAVAILABLE",
        timedOut ? `timeout after ${this.config.timeoutMs} ms` : `network error: ${(e as Error).message ?? String(e)}`,
        true,
      );
    }
    if (res.status !== 200) {
      const retryAfter = Number(res.headers.get("retry-after"));
      const retryAfterMs = Number.isFinite(retryAfter) && retryAfter > 0 ? retryAfter * 1000 : undefined;
      if (res.status >= 500 || res.status === 429 || res.status === 408) {
        throw new AttemptError("PROVIDER_UNAVAILABLE", `HTTP ${res.status}`, true, retryAfterMs);
      }
      if (res.status === 401 || res.status === 403) {
        throw new AttemptError("PROVIDER_CONFIG_INVALID", `HTTP ${res.status}: credentials rejected`, false);
      }
      throw new AttemptError("PROVIDER_BAD_RESPONSE", `HTTP ${res.status}`, false);
    }
    const rts = res.headers.get("x-gp-timestamp") ?? "";
    const expected = hmacHex(this.secret, responseSigningString({ status: res.status, timestamp: rts, nonce, body: text }));
    if (!signatureMatches(res.headers.get("x-gp-signature"), expected)) {
      throw new AttemptError("PROVIDER_BAD_RESPONSE", "response signature does not verify", false);
    }
    if (!/^\d{1,16}$/.test(rts) || Math.abs(this.now() - Number(rts)) > this.config.maxClockSkewMs) {
      throw new AttemptError("PROVIDER_BAD_RESPONSE", "response timestamp outside the allowed clock skew", false);
    }
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      throw new AttemptError("PROVIDER_BAD_RESPONSE", "response is not JSON", false);
    }
    const answer = HttpAnswerSchema.safeParse(json);
    if (!answer.success) {
      throw new AttemptError("PROVIDER_BAD_RESPONSE", `malformed answer: ${answer.error.issues.map((i) => i.path.join(".") || i.code).join(", ")}`, false);
    }
    if (answer.data.requestId !== requestId) {
      throw new AttemptError("PROVIDER_BAD_RESPONSE", "answer is for another request", false);
    }
    return answer.data;
  }
}
