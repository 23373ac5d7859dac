import { afterAll, beforeAll, describe, expect, it } from "vitest";
// The official SDK, a devDependency only: it is the reference our own signer and the fake are held to.
import { Client as IaiClient } from "tencentcloud-sdk-nodejs/tencentcloud/services/iai/v20200303/iai_client.js";
import { TencentCompareClient } from "@gradphoto/face";
import { startFakeTencent, type FakeTencent } from "@gradphoto/testkit";
import { devPairs, face } from "./helpers.js";

let fake: FakeTencent;
beforeAll(async () => {
  fake = await startFakeTencent();
});
afterAll(() => fake.close());

const pair = devPairs.find((p) => p.same)!;
const sdk = (secretKey: string) =>
  new IaiClient({
    credential: { secretId: fake.secretId, secretKey },
    region: "ap-shanghai",
    profile: { httpProfile: { endpoint: fake.endpoint, protocol: "http://", reqTimeout: 5 } },
  });
/** our client, configured as the SDK above */
const client = () => new TencentCompareClient({ secretId: fake.secretId, secretKey: fake.secretKey, endpoint: fake.endpoint, protocol: "http", region: "ap-shanghai" });
const body = () => ({ ImageA: face(pair.a).toString("base64"), ImageB: face(pair.b).toString("base64"), FaceModelVersion: "3.0", NeedRotateDetection: 0 });

describe("TC3 signing held to tencentcloud-sdk-nodejs's own requests", () => {
  it("the fake accepts the SDK's CompareFace and answers the shape the SDK parses", async () => {
    fake.modes = [{ kind: "score", score: 57, version: "3.0" }];
    fake.requests.length = 0;
    const r = await sdk(fake.secretKey).CompareFace(body());
    expect(r).toMatchObject({ Score: 57, FaceModelVersion: "3.0" });
    expect(r.RequestId).toMatch(/[0-9a-f-]{36}/);
    const req = fake.requests[0]!;
    expect(req.authError).toBeUndefined();
    expect(req.raw.headers["x-tc-action"]).toBe("CompareFace");
    expect(req.raw.headers["x-tc-version"]).toBe("2020-03-03");
    // the credential scope's service is the endpoint's first label, as the issue observed
    expect(String(req.raw.headers.authorization)).toContain(`/${fake.endpoint.split(".")[0]}/tc3_request`);
  });

  it("the fake refuses the SDK's request signed with a wrong key, and the SDK surfaces Tencent's code", async () => {
    fake.requests.length = 0;
    const err = await sdk("not-the-key").CompareFace(body()).then(
      () => null,
      (e: unknown) => e as { code?: string },
    );
    expect(err?.code).toBe("AuthFailure.SignatureFailure");
    expect(fake.requests[0]!.authError).toBe("AuthFailure.SignatureFailure");
  });

  it("our client signs the SDK's request byte for byte as the SDK did", async () => {
    fake.modes = [{ kind: "score", score: 50, version: "3.0" }];
    fake.requests.length = 0;
    await sdk(fake.secretKey).CompareFace(body());
    const { headers, body: payload } = fake.requests[0]!.raw;
    const timestamp = Number(headers["x-tc-timestamp"]);
    const ours = client().signedHeaders(payload, timestamp);
    expect(ours.Authorization).toBe(headers.authorization);
    expect(ours["Content-Type"]).toBe(headers["content-type"]);
    // and a different body or second gives a different signature (the comparison can fail)
    expect(client().signedHeaders(payload + " ", timestamp).Authorization).not.toBe(headers.authorization);
    expect(client().signedHeaders(payload, timestamp + 1).Authorization).not.toBe(headers.authorization);
  });

  it("our client's requests pass the same verifier the SDK's pass", async () => {
    fake.modes = [{ kind: "score", score: 50, version: "3.0" }];
    fake.requests.length = 0;
    const r = await client().compare(face(pair.a), face(pair.b));
    expect(r).toMatchObject({ score: 80, tencentScore: 50 });
    expect(fake.requests[0]!.authError).toBeUndefined();
  });
});

