import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { CircuitBreaker, HttpProvider, type CaptureCodeFields, type HttpProviderConfigInput, type Logger } from "@gradphoto/capture-code";
import { FakeDecryptService, fakeCode } from "./decrypt-server.js";

const SECRET = "s3cr3t-shared-with-the-decryption-service";
const fields: CaptureCodeFields = {
  uniqueNumber: "2025100550000042",
  maskedName: "李*华",
  maskedIdNumber: "3701**********0021",
  schoolCode: "10055",
  schoolName: "南开大学",
  degreeLevel: "本科",
};

const service = new FakeDecryptService(SECRET, "school-10055");
let url = "";
beforeAll(async () => {
  url = await service.start();
});
afterAll(async () => {
  await service.stop();
});
beforeEach(() => {
  service.setMode({ kind: "ok" });
  service.requests = 0;
  service.rejectedSignatures = 0;
});

interface LogLine {
  obj: object;
  msg?: string;
}

function provider(over: Partial<HttpProviderConfigInput> = {}, secret = SECRET) {
  const logs: LogLine[] = [];
  const sleeps: number[] = [];
  const logger: Logger = { info: (obj, msg) => logs.push({ obj, msg }), warn: (obj, msg) => logs.push({ obj, msg }) };
  const p = new HttpProvider(
    { url, clientId: "school-10055", secretEnv: "CC_SECRET", timeoutMs: 1_000, retries: 2, backoffMs: 100, ...over },
    { secret, logger, sleep: async (ms) => void sleeps.push(ms) },
  );
  return { p, logs, sleeps };
}

describe("http provider against a signing decryption service on loopback", () => {
  it("posts a signed request and returns the verified fields", async () => {
    const { p } = provider();
    const code = fakeCode(fields);
    expect(await p.decode(code, { schoolCode: "10055" })).toEqual(fields);
    expect(service.requests).toBe(1);
    expect(JSON.parse(service.lastBody)).toMatchObject({ code, schoolCode: "10055" });
  });

  it("maps the service's INVALID_CODE answer to CODE_INVALID without retrying", async () => {
    const { p } = provider();
    await expect(p.decode("https://not.a/capture?code")).rejects.toMatchObject({ code: "CODE_INVALID" });
    expect(service.requests).toBe(1);
  });

  it("times out slow answers, retries, then reports PROVIDER_UNAVAILABLE", async () => {
    service.setMode({ kind: "slow", delayMs: 1_500 });
    const { p, sleeps } = provider({ timeoutMs: 150, retries: 1 });
    const t = performance.now();
    const err = await p.decode(fakeCode(fields)).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: "PROVIDER_UNAVAILABLE", detail: expect.stringMatching(/timeout/) });
    expect(performance.now() - t).toBeLessThan(1_200);
    expect(service.requests).toBe(2);
    expect(sleeps).toHaveLength(1);
  });

  it("retries 5xx with growing backoff and succeeds when the service recovers", async () => {
    service.setMode({ kind: "status", status: 503, times: 2 });
    const { p, sleeps } = provider({ retries: 2, backoffMs: 100 });
    expect(await p.decode(fakeCode(fields))).toEqual(fields);
    expect(service.requests).toBe(3);
    expect(sleeps).toHaveLength(2);
    expect(sleeps[0]!).toBeGreaterThanOrEqual(50);
    expect(sleeps[0]!).toBeLessThanOrEqual(100);
    expect(sleeps[1]!).toBeGreaterThanOrEqual(100);
    expect(sleeps[1]!).toBeLessThanOrEqual(200);
  });

  it("honours Retry-After (capped) and gives up after the retries", async () => {
    service.setMode({ kind: "status", status: 500, times: 10, retryAfter: 1 });
    const { p, sleeps } = provider({ retries: 2, maxBackoffMs: 800 });
    await expect(p.decode(fakeCode(fields))).rejects.toMatchObject({ code: "PROVIDER_UNAVAILABLE", detail: "HTTP 500" });
    expect(service.requests).toBe(3);
    expect(sleeps).toEqual([800, 800]);
  });

  it("rejects answers with a bad signature, without one, or out of date", async () => {
    for (const kind of ["bad-signature", "unsigned", "stale-timestamp", "wrong-request-id"] as const) {
      service.setMode({ kind });
      const { p } = provider();
      await expect(p.decode(fakeCode(fields)), kind).rejects.toMatchObject({ code: "PROVIDER_BAD_RESPONSE" });
    }
  });

  it("rejects malformed answers (not JSON, wrong shape, unmasked personal data)", async () => {
    const bodies = [
      "<html>502 Bad Gateway</html>",
      JSON.stringify({ result: "OK" }),
      JSON.stringify({ requestId: "x", result: "MAYBE" }),
    ];
    for (const body of bodies) {
      service.setMode({ kind: "malformed", body });
      const { p } = provider();
      await expect(p.decode(fakeCode(fields))).rejects.toMatchObject({ code: "PROVIDER_BAD_RESPONSE" });
    }
    service.setMode({ kind: "ok" });
    const { p } = provider();
    await expect(p.decode(fakeCode({ ...fields, maskedIdNumber: "370102199901010021" }))).rejects.toMatchObject({ code: "PROVIDER_BAD_RESPONSE" });
    await expect(p.decode(fakeCode({ ...fields, uniqueNumber: undefined }))).rejects.toMatchObject({ code: "PROVIDER_BAD_RESPONSE" });
  });

  it("reports rejected credentials as a configuration problem", async () => {
    const { p } = provider({}, "the wrong shared secret, 40 characters");
    await expect(p.decode(fakeCode(fields))).rejects.toMatchObject({ code: "PROVIDER_CONFIG_INVALID" });
    expect(service.rejectedSignatures).toBe(1);
  });

  it("opens the circuit after repeated failures and closes it after a good trial call", async () => {
    let now = Date.now();
    service.setMode({ kind: "status", status: 502, times: 1_000 });
    const p = new HttpProvider(
      { url, clientId: "school-10055", secretEnv: "CC_SECRET", retries: 0, breaker: { failureThreshold: 3, cooldownMs: 10_000 } },
      { secret: SECRET, sleep: async () => {}, now: () => now },
    );
    for (let i = 0; i < 3; i++) await expect(p.decode(fakeCode(fields))).rejects.toMatchObject({ code: "PROVIDER_UNAVAILABLE" });
    expect(p.breaker.state).toBe("open");
    const before = service.requests;
    await expect(p.decode(fakeCode(fields))).rejects.toMatchObject({ code: "PROVIDER_UNAVAILABLE", detail: "circuit open" });
    expect(service.requests).toBe(before); // refused without calling the service
    now += 10_001;
    expect(p.breaker.state).toBe("half-open");
    service.setMode({ kind: "ok" });
    expect(await p.decode(fakeCode(fields))).toEqual(fields);
    expect(p.breaker.state).toBe("closed");
  });

  it("never logs the raw code in full", async () => {
    service.setMode({ kind: "status", status: 500, times: 10 });
    const { p, logs } = provider({ retries: 1 });
    const code = fakeCode(fields);
    await expect(p.decode(code)).rejects.toMatchObject({ code: "PROVIDER_UNAVAILABLE" });
    expect(logs.length).toBe(2);
    const text = JSON.stringify(logs);
    expect(text).not.toContain(code);
    expect(text).not.toContain(code.slice(4, 40));
    expect(text).toContain("sha256");
  });
});

describe("circuit breaker", () => {
  it("goes closed → open → half-open → closed / open again", () => {
    let t = 0;
    const b = new CircuitBreaker({ failureThreshold: 2, cooldownMs: 100, now: () => t });
    expect(b.tryAcquire()).toBe(true);
    b.onFailure();
    expect(b.state).toBe("closed");
    b.onFailure();
    expect(b.state).toBe("open");
    expect(b.tryAcquire()).toBe(false);
    t = 100;
    expect(b.state).toBe("half-open");
    expect(b.tryAcquire()).toBe(true);
    expect(b.tryAcquire()).toBe(false); // one trial at a time
    b.onFailure();
    expect(b.state).toBe("open");
    t = 250;
    expect(b.tryAcquire()).toBe(true);
    b.onSuccess();
    expect(b.state).toBe("closed");
    expect(b.tryAcquire()).toBe(true);
  });
});
