import { describe, expect, it } from "vitest";
import { ConfigError, loadConfig } from "@gradphoto/config";

describe("environment config", () => {
  it("has working defaults for development (an explicit switch)", () => {
    const c = loadConfig({ NODE_ENV: "development" });
    expect(c.developmentMode).toBe(true);
    expect(c.env.PORT).toBe(3000);
    expect(c.storage.driver).toBe("local");
    expect(c.publicBaseUrl).toBe("http://127.0.0.1:3000");
  });

  it("explains a bad value in one line", () => {
    const run = () => loadConfig({ PORT: "eighty", STORAGE_DRIVER: "ftp" });
    expect(run).toThrow(ConfigError);
    try {
      run();
    } catch (e) {
      const msg = (e as Error).message;
      expect(msg).not.toContain("\n");
      expect(msg).toMatch(/PORT/);
      expect(msg).toMatch(/STORAGE_DRIVER/);
      expect(msg).toContain('"ftp"');
    }
  });

  it("requires S3 credentials with the s3 driver and a signing secret in production", () => {
    expect(() => loadConfig({ NODE_ENV: "test", STORAGE_DRIVER: "s3" })).toThrow(/S3_BUCKET is required/);
    expect(() => loadConfig({ NODE_ENV: "production" })).toThrow(/SIGNING_SECRET is required in production/);
    expect(() => loadConfig({ NODE_ENV: "production" })).toThrow(/ID_ENCRYPTION_KEY is required in production/);
    expect(() => loadConfig({ NODE_ENV: "test", DATABASE_URL: "mysql://x" })).toThrow(/DATABASE_URL/);
  });

  it("is production unless told otherwise: no secrets, no start", () => {
    expect(() => loadConfig({})).toThrow(/SIGNING_SECRET is required in production \(production is the default; NODE_ENV=development/);
    expect(() => loadConfig({ NODE_ENV: "" })).toThrow(/ID_ENCRYPTION_KEY is required in production/);
    const secrets = { SIGNING_SECRET: "s".repeat(16) + "0123456789abcdef0123", ID_ENCRYPTION_KEY: "ab".repeat(32) };
    const c = loadConfig(secrets);
    expect(c.env.NODE_ENV).toBe("production");
    expect(c.developmentMode).toBe(false);
    expect(c.signingSecret).toBe(secrets.SIGNING_SECRET);
    // the public development secret and the fake WeChat are refused in production
    expect(() => loadConfig({ ...secrets, SIGNING_SECRET: "gradphoto-development-secret-do-not-use-in-production" })).toThrow(/public development secret/);
    expect(() => loadConfig({ ...secrets, DEV_FAKE_WECHAT_URL: "http://127.0.0.1:3100" })).toThrow(/DEV_FAKE_WECHAT_URL is only allowed with NODE_ENV=development/);
    expect(loadConfig({ NODE_ENV: "test" }).developmentMode).toBe(true);
  });

  it("treats empty strings as unset", () => {
    expect(loadConfig({ NODE_ENV: "test", PORT: "", DATABASE_URL: "" }).env.DATABASE_URL).toBeUndefined();
  });
});
