// "Unsafe default" finding: NODE_ENV unset meant development (public signing secret, a key derived
// from it, the demo 采集码 key accepted, /api/dev/* when DEV_FAKE_WECHAT_URL was set). Production is
// now the default; development and test are explicit switches.
import { spawn } from "node:child_process";
import { mkdtempSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { testDatabaseUrl } from "@gradphoto/testkit";
import { startApiProcess } from "./api-process.js";
import { startJourney } from "./journey-harness.js";

const root = path.resolve(import.meta.dirname, "../../..");
const SECRETS = { SIGNING_SECRET: "prod-test-signing-secret-7f3a9c1e5b2d4f60", ID_ENCRYPTION_KEY: "5f".repeat(32) };

/** Runs the API entry with NODE_ENV unset (an empty value is unset) until it exits. */
function refusedStart(env: Record<string, string>): Promise<{ code: number | null; stderr: string }> {
  const child = spawn(process.execPath, ["--import", "tsx", path.join(root, "apps/api/src/main.ts")], {
    cwd: root,
    env: { ...process.env, NODE_ENV: "", PORT: "0", DATA_DIR: mkdtempSync(path.join(os.tmpdir(), "api-prod-")), DATABASE_URL: testDatabaseUrl(), ...env },
  });
  let stderr = "";
  child.stderr.on("data", (d) => (stderr += String(d)));
  const timer = setTimeout(() => child.kill("SIGKILL"), 60_000);
  return new Promise((resolve) =>
    child.on("exit", (code) => {
      clearTimeout(timer);
      resolve({ code, stderr });
    }),
  );
}

describe("production by default", () => {
  it("refuses to start without NODE_ENV and without real secrets, in one line naming them", async () => {
    const r = await refusedStart({});
    expect(r.code).toBe(1);
    const lines = r.stderr.trim().split("\n");
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^gradphoto: invalid configuration: SIGNING_SECRET is required in production .*NODE_ENV=development.*ID_ENCRYPTION_KEY is required in production/);
  });

  it("refuses the public development secret and the fake WeChat in production", async () => {
    const dev = await refusedStart({ ...SECRETS, SIGNING_SECRET: "gradphoto-development-secret-do-not-use-in-production" });
    expect(dev.code).toBe(1);
    expect(dev.stderr).toMatch(/SIGNING_SECRET is the public development secret/);
    const fake = await refusedStart({ ...SECRETS, DEV_FAKE_WECHAT_URL: "http://127.0.0.1:3100" });
    expect(fake.code).toBe(1);
    expect(fake.stderr).toMatch(/DEV_FAKE_WECHAT_URL is only allowed with NODE_ENV=development/);
  });

  it("starts with real secrets and has no /api/dev routes", async () => {
    const api = await startApiProcess({ ...SECRETS, NODE_ENV: "", DATABASE_URL: testDatabaseUrl() });
    expect((await fetch(`${api.url}/readyz`)).status).toBe(200);
    for (const p of ["/api/dev/wx-login-code", "/api/dev/pay/GP2026ORDER0001", "/api/dev/subscriptions"]) {
      const r = await fetch(`${api.url}${p}`, { method: "POST", headers: { "content-type": "application/json" }, body: "{}" });
      expect({ p, status: r.status }).toEqual({ p, status: 404 });
    }
    const doc = (await (await fetch(`${api.url}/openapi.json`)).json()) as { paths: Record<string, unknown> };
    expect(Object.keys(doc.paths).filter((p) => p.startsWith("/api/dev"))).toEqual([]);
    api.child.kill("SIGTERM");
    expect(await api.exited).toBe(0);
  }, 120_000);
});

describe("development-only features are absent outside development", () => {
  it("test mode: no /api/dev routes even with DEV_FAKE_WECHAT_URL set", async () => {
    const j = await startJourney({ env: { DEV_FAKE_WECHAT_URL: "http://127.0.0.1:9" } });
    const r = await j.call("POST", "/api/dev/pay/GP2026ORDER0001", {});
    expect(r.status).toBe(404);
  });

  it("production: a 采集码 signed with the public demo key is refused, and demo codes cannot be issued", async () => {
    const j = await startJourney({ env: { NODE_ENV: "production", ...SECRETS } });
    const campaignId = await j.campaign({ schoolPaid: true });
    const entry = await j.rosterEntry(campaignId, null); // its code is signed with the public dev key
    const g = await j.graduate();
    const start = await j.call("POST", `/api/campaigns/${campaignId}/submission`, { token: g.token });
    await j.call("POST", `/api/submissions/${start.body.id}/consent`, { token: g.token, body: { version: 1, clientInfo: { platform: "test" } } });
    const scan = await j.call("POST", `/api/submissions/${start.body.id}/capture-code/scan`, { token: g.token, body: { text: entry.codeText } });
    expect(scan.status).toBeGreaterThanOrEqual(400);
    expect(scan.body.code).toBe("PROVIDER_CONFIG_INVALID");
    expect(scan.body.codeToken).toBeUndefined();
    const admin = await j.staff("SCHOOL_ADMIN");
    const demo = await j.call("POST", `/api/staff/campaigns/${campaignId}/demo-codes`, { token: admin.token, body: { entryIds: [entry.entryId] } });
    expect(demo.body.code).toBe("DEMO_CODES_DISABLED");
  });
});
