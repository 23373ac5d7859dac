import { generateKeyPairSync } from "node:crypto";
import { describe, expect, it } from "vitest";
import {
  createProvider,
  decodeQrImage,
  DemoProvider,
  demoPublicKeyOf,
  devDemoKey,
  generateDemoKeyPair,
  isDemoCode,
  issueDemoCode,
  maskIdNumber,
  maskName,
  ProviderRegistry,
  renderCodePng,
  verifyDemoCode,
  type CaptureCodeFields,
} from "@gradphoto/capture-code";

const fields: CaptureCodeFields = {
  uniqueNumber: "2024100550001234",
  maskedName: "张*明",
  maskedIdNumber: "1201**********123X",
  schoolCode: "10055",
  schoolName: "南开大学",
  degreeLevel: "硕士研究生",
  graduationYear: 2024,
};

describe("demo capture codes", () => {
  const key = generateDemoKeyPair("k2026");
  const provider = new DemoProvider({ publicKeys: { [key.keyId]: key.publicKey } });

  it("round-trips the masked fields through a signed code", async () => {
    const issuedAt = new Date("2026-03-01T08:00:00Z");
    const code = issueDemoCode(fields, key, { issuedAt });
    expect(code).toMatch(/^GPD1\.k2026\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]{86}$/);
    expect(isDemoCode(code)).toBe(true);
    expect(await provider.decode(code)).toEqual(fields);
    expect(verifyDemoCode(code, { k2026: key.publicKey }).issuedAt).toEqual(issuedAt);
  });

  it("prints as a QR image that our decoder reads back into the same fields", async () => {
    const code = issueDemoCode(fields, key);
    const png = await renderCodePng(code, { width: 500 });
    const read = await decodeQrImage(png);
    expect(read.text).toBe(code);
    expect(await provider.decode(read.text)).toEqual(fields);
  });

  it("rejects tampered, foreign and malformed codes with CODE_INVALID", async () => {
    const code = issueDemoCode(fields, key);
    const [p, kid, payload, sig] = code.split(".") as [string, string, string, string];
    const forged = Buffer.from(JSON.stringify({ ...JSON.parse(Buffer.from(payload, "base64url").toString()), u: "2024100559999999" })).toString("base64url");
    const other = generateDemoKeyPair("k2026");
    const cases = [
      `${p}.${kid}.${forged}.${sig}`, // payload changed
      issueDemoCode(fields, other), // same key id, other key
      issueDemoCode(fields, { ...other, keyId: "unknown" }), // unknown key id
      `${p}.${kid}.${payload}`, // no signature
      `${p}.${kid}.${payload}.${sig.slice(0, -2)}`, // short signature
      "https://example.org/?c=abc", // not a demo code
      "",
    ];
    for (const c of cases) await expect(provider.decode(c)).rejects.toMatchObject({ code: "CODE_INVALID" });
  });

  it("refuses to issue codes with unmasked names or ID numbers", () => {
    expect(() => issueDemoCode({ ...fields, maskedName: "张小明" }, key)).toThrow();
    expect(() => issueDemoCode({ ...fields, maskedIdNumber: "120101199901011234" }, key)).toThrow();
  });

  it("accepts PEM keys as well as raw base64 keys", async () => {
    const { privateKey, publicKey } = generateKeyPairSync("ed25519");
    const pemKey = { keyId: "pem", privateKey: privateKey.export({ format: "pem", type: "pkcs8" }).toString() };
    const code = issueDemoCode(fields, pemKey);
    const viaPem = new DemoProvider({ publicKeys: { pem: publicKey.export({ format: "pem", type: "spki" }).toString() } });
    const viaRaw = new DemoProvider({ publicKeys: { pem: demoPublicKeyOf(pemKey) } });
    expect(await viaPem.decode(code)).toEqual(fields);
    expect(await viaRaw.decode(code)).toEqual(fields);
  });

  it("masks names and ID numbers the way 学信网 shows them", () => {
    expect(maskName("张三")).toBe("张*");
    expect(maskName("张小明")).toBe("张*明");
    expect(maskName("欧阳小明")).toBe("欧**明");
    expect(maskIdNumber("12010119990101123X")).toBe("1201**********123X");
    expect(maskIdNumber("1201**********123X")).toBe("1201**********123X");
  });
});

describe("provider configuration", () => {
  it("builds the demo provider from campaign config or the deployment default", async () => {
    const dev = devDemoKey();
    const code = issueDemoCode(fields, dev);
    const fromDefault = createProvider("demo", {}, { demoPublicKeys: { dev: dev.publicKey } });
    expect(await fromDefault.decode(code)).toEqual(fields);
    const fromCampaign = createProvider("demo", { publicKeys: { dev: dev.publicKey } });
    expect(fromCampaign.name).toBe("demo");
    expect(() => createProvider("demo", {}, {})).toThrow(expect.objectContaining({ code: "PROVIDER_CONFIG_INVALID" }));
    expect(() => createProvider("demo", {}, { demoPublicKeys: { dev: dev.publicKey }, forbidDevKey: true })).toThrow(
      expect.objectContaining({ code: "PROVIDER_CONFIG_INVALID" }),
    );
    expect(() => createProvider("demo", { publicKeys: { dev: "not a key at all, but long enough......" } })).toThrow(
      expect.objectContaining({ code: "PROVIDER_CONFIG_INVALID" }),
    );
    expect(() => createProvider("chsi-magic", {})).toThrow(expect.objectContaining({ code: "PROVIDER_CONFIG_INVALID" }));
  });

  it("builds the http provider with the secret taken from the named environment variable", () => {
    const cfg = { url: "https://decrypt.example.edu.cn/v1/decode", clientId: "school-10055", secretEnv: "CC_SECRET" };
    expect(() => createProvider("http", cfg, { env: {} })).toThrow(expect.objectContaining({ code: "PROVIDER_CONFIG_INVALID" }));
    expect(createProvider("http", cfg, { env: { CC_SECRET: "0123456789abcdef0123" } }).name).toBe("http");
    expect(() => createProvider("http", { ...cfg, url: "http://decrypt.example.edu.cn/" }, { env: { CC_SECRET: "0123456789abcdef0123" } })).toThrow(
      expect.objectContaining({ code: "PROVIDER_CONFIG_INVALID" }),
    );
    expect(() => createProvider("http", { ...cfg, secret: "inline secrets are refused" }, { env: { CC_SECRET: "0123456789abcdef0123" } })).toThrow(
      expect.objectContaining({ code: "PROVIDER_CONFIG_INVALID" }),
    );
  });

  it("keeps one provider instance per configuration", () => {
    const dev = devDemoKey();
    const reg = new ProviderRegistry({ demoPublicKeys: { dev: dev.publicKey } });
    expect(reg.get("demo", {})).toBe(reg.get("demo", {}));
    expect(reg.get("demo", { publicKeys: { dev: dev.publicKey } })).not.toBe(reg.get("demo", {}));
  });
});
