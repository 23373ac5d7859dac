import { describe, expect, it } from "vitest";
import { ConfigError, loadConfig } from "@gradphoto/config";

describe("environment config", () => {
  it("has working defaults for development", () => {
    const c = loadConfig({});
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
    expect(() => loadConfig({ STORAGE_DRIVER: "s3" })).toThrow(/S3_BUCKET is required/);
    expect(() => loadConfig({ NODE_ENV: "production" })).toThrow(/SIGNING_SECRET is required in production/);
    expect(() => loadConfig({ DATABASE_URL: "mysql://x" })).toThrow(/DATABASE_URL/);
  });

  it("treats empty strings as unset", () => {
    expect(loadConfig({ PORT: "", DATABASE_URL: "" }).env.DATABASE_URL).toBeUndefined();
  });
});
