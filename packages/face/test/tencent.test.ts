import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  CircuitBreaker,
  CloudCompareError,
  createCloudComparer,
  createFaceComparer,
  mapTencentError,
  TencentCompareClient,
  tencentScoreToOurs,
  type FaceComparer,
} from "@gradphoto/face";
import { devPairs, face } from "./helpers.js";
import { startFakeTencent, type FakeTencent } from "@gradphoto/testkit";

let local: FaceComparer;
let fake: FakeTencent;
const pair = devPairs.find((p) => p.same)!;
beforeAll(async () => {
  local = await createFaceComparer({ parallel: false });
  fake = await startFakeTencent();
});
afterAll(() => fake.close());

const opts = (o: Record<string, unknown> = {}) => ({ secretId: fake.secretId, secretKey: fake.secretKey, endpoint: fake.endpoint, protocol: "http" as const, backoffMs: 5, ...o });

describe("Tencent Cloud scores and error codes", () => {
  it("maps the documented FAR points onto ours: 80 ≈ FAR 1e-4 for both model versions", () => {
    expect([40, 50, 60].map((s) => tencentScoreToOurs(s, "3.0"))).toEqual([70, 80, 90]);
    expect([70, 80, 90].map((s) => tencentScoreToOurs(s, "2.0"))).toEqual([70, 80, 90]);
    expect(tencentScoreToOurs(45, "3.0")).toBe(75);
    expect(tencentScoreToOurs(100, "3.0")).toBe(100);
    expect(tencentScoreToOurs(0, "3.0")).toBe(0);
    expect(() => tencentScoreToOurs(50, "9.9")).toThrow(CloudCompareError);
  });

  it("maps Tencent's codes onto ours", () => {
    expect(mapTencentError("InvalidParameterValue.NoFaceInPhoto")).toBe("NO_FACE");
    expect(mapTencentError("FailedOperation.ImageSizeTooLarge")).toBe("IMAGE_TOO_LARGE");
    expect(mapTencentError("FailedOperation.ImageResolutionTooSmall")).toBe("IMAGE_TOO_SMALL");
    expect(mapTencentError("FailedOperation.ImageDecodeFailed")).toBe("INVALID_IMAGE");
    expect(mapTencentError("RequestLimitExceeded")).toBe("RATE_LIMITED");
    expect(mapTencentError("AuthFailure.SignatureFailure")).toBe("AUTH_FAILED");
    expect(mapTencentError("InternalError")).toBe("UNAVAILABLE");
  });
});

describe("CompareFace against a fake Tencent Cloud on loopback", () => {
  it("signs with TC3, sends only the two images, and maps the score", async () => {
    fake.modes = [{ kind: "score", score: 55, version: "3.0" }];
    fake.requests.length = 0;
    const cloud = createCloudComparer({ tencent: opts(), local });
    const r = await cloud.compare(face(pair.a), face(pair.b));
    expect(r).toMatchObject({ provider: "tencent", score: 85, passed: true, threshold: 80, modelId: "tencent-iai-compareface-3.0" });
    expect(r.fallback).toBeUndefined();
    expect(r.referenceQuality).toBeDefined(); // measured locally
    const req = fake.requests[0]!;
    expect(req).toMatchObject({ action: "CompareFace", version: "2020-03-03" });
    expect(req.authError).toBeUndefined();
    expect(Object.keys(req.body).sort()).toEqual(["FaceModelVersion", "ImageA", "ImageB", "NeedRotateDetection"]);
    expect(Buffer.from(req.body.ImageA!, "base64").equals(face(pair.a))).toBe(true);
    expect(Buffer.from(req.body.ImageB!, "base64").equals(face(pair.b))).toBe(true);
  });

  it("a wrong key and a stale timestamp are refused (not retried) and the local model answers, recorded as a fallback", async () => {
    fake.modes = [{ kind: "score", score: 90 }];
    fake.requests.length = 0;
    const wrong = createCloudComparer({ tencent: opts({ secretKey: "not-the-key" }), local });
    const r = await wrong.compare(face(pair.a), face(pair.b));
    expect(fake.requests).toHaveLength(1);
    expect(fake.requests[0]!.authError).toBe("AuthFailure.SignatureFailure");
    expect(r).toMatchObject({ provider: "local", modelId: local.modelId, fallback: { from: "tencent", code: "AuthFailure.SignatureFailure" } });
    expect(r.score).not.toBeNull();

    const client = new TencentCompareClient(opts(), () => Date.now() - 10 * 60_000);
    await expect(client.compare(face(pair.a), face(pair.b))).rejects.toMatchObject({ code: "AUTH_FAILED", providerCode: "AuthFailure.SignatureExpire" });
    const unknownId = new TencentCompareClient(opts({ secretId: "AKIDnobody" }));
    await expect(unknownId.compare(face(pair.a), face(pair.b))).rejects.toMatchObject({ code: "AUTH_FAILED", providerCode: "AuthFailure.SecretIdNotFound" });
  });

  it("retries a throttled or failing service with back-off, then succeeds", async () => {
    fake.modes = [{ kind: "throttle" }, { kind: "fail" }, { kind: "score", score: 30, version: "3.0" }];
    fake.requests.length = 0;
    const client = new TencentCompareClient(opts({ retries: 2 }));
    const r = await client.compare(face(pair.a), face(pair.b));
    expect(r).toMatchObject({ attempts: 3, tencentScore: 30, score: 52.5 }); // 30 lies between the (0, 0) and (40, 70) points
    expect(fake.requests).toHaveLength(3);
  });

  it("a hanging service times out; image errors go to the local model; repeated failures open the breaker, which stops calling until its cool-down", async () => {
    let t = Date.now();
    const now = () => t;
    const breaker = new CircuitBreaker(2, 60_000, now);
    fake.modes = [{ kind: "hang" }];
    fake.requests.length = 0;
    const cloud = createCloudComparer({ tencent: opts({ timeoutMs: 300, retries: 0 }), local, breaker });
    const r1 = await cloud.compare(face(pair.a), face(pair.b));
    expect(r1).toMatchObject({ provider: "local", fallback: { code: "ClientTimeout" } });
    expect(breaker.state).toBe("closed");

    // an image problem is not a service failure: the local model names the image, the breaker is untouched
    fake.modes = [{ kind: "error", code: "InvalidParameterValue.NoFaceInPhoto", message: "图片中没有人脸。" }];
    const r2 = await cloud.compare(face(pair.a), face(pair.b));
    expect(r2).toMatchObject({ provider: "local", fallback: { code: "InvalidParameterValue.NoFaceInPhoto" } });
    expect(breaker.state).toBe("closed");

    fake.modes = [{ kind: "fail" }];
    await cloud.compare(face(pair.a), face(pair.b));
    expect(breaker.state).toBe("open");
    const before = fake.requests.length;
    const r3 = await cloud.compare(face(pair.a), face(pair.b));
    expect(fake.requests.length).toBe(before); // not called while open
    expect(r3).toMatchObject({ provider: "local", fallback: { code: "CIRCUIT_OPEN" } });
    expect(r3.score).toBe((await local.compare(face(pair.a), face(pair.b))).score);

    t += 61_000; // half-open: one trial call; it succeeds and closes the breaker
    fake.modes = [{ kind: "score", score: 70, version: "2.0" }];
    const r4 = await cloud.compare(face(pair.a), face(pair.b));
    expect(r4).toMatchObject({ provider: "tencent", score: 70, passed: false });
    expect(breaker.state).toBe("closed");
  }, 30_000);
});
