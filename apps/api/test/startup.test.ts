import { spawn } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { testDatabaseUrl } from "@gradphoto/testkit";
import { DEFAULT_MODEL_CONFIG_PATH } from "@gradphoto/face";

const root = path.resolve(import.meta.dirname, "../../..");

/** Runs the real API entry point as its own process. */
function startApi(env: Record<string, string>) {
  const child = spawn(process.execPath, ["--import", "tsx", path.join(root, "apps/api/src/main.ts")], {
    cwd: root,
    env: { ...process.env, LOG_LEVEL: "info", DATA_DIR: mkdtempSync(path.join(os.tmpdir(), "api-run-")), ...env },
  });
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (d) => (stdout += String(d)));
  child.stderr.on("data", (d) => (stderr += String(d)));
  const exited = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)));
  return { child, exited, out: () => stdout, err: () => stderr };
}

describe("API process", () => {
  it("exits with one clear line on a bad setting", async () => {
    const p = startApi({ PORT: "eighty", DATABASE_URL: testDatabaseUrl() });
    expect(await p.exited).toBe(1);
    const lines = p.err().trim().split("\n");
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^gradphoto: invalid configuration: PORT .*"eighty"/);
  });

  it("refuses to start with a face model card whose calibration is missing", async () => {
    const card = JSON.parse(readFileSync(DEFAULT_MODEL_CONFIG_PATH, "utf8"));
    const file = path.join(mkdtempSync(path.join(os.tmpdir(), "card-")), "uncalibrated.card.json");
    writeFileSync(file, JSON.stringify({ ...card, calibration: null }));
    const p = startApi({ DATABASE_URL: testDatabaseUrl(), FACE_MODEL_CARD: file });
    expect(await p.exited).toBe(1);
    const lines = p.err().trim().split("\n");
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^gradphoto: model card .*uncalibrated\.card\.json \(faceplugin-mfn-512\) has no calibration: run gradphoto calibrate-face/);
  });

  it("exits with one clear line when DATABASE_URL cannot be reached", async () => {
    const p = startApi({ DATABASE_URL: "postgresql://postgres@127.0.0.1:1/nowhere" });
    expect(await p.exited).toBe(1);
    const lines = p.err().trim().split("\n");
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^gradphoto: cannot reach the database at postgresql:\/\/postgres@127\.0\.0\.1:1\/nowhere/);
  });

  it("starts, answers /readyz and /docs, and shuts down gracefully on SIGTERM", async () => {
    const p = startApi({ PORT: "0", DATABASE_URL: testDatabaseUrl() });
    let port = 0;
    for (let i = 0; i < 150 && !port; i++) {
      const m = /Server listening at http:\/\/127\.0\.0\.1:(\d+)/.exec(p.out());
      if (m) port = Number(m[1]);
      else await new Promise((r) => setTimeout(r, 200));
    }
    expect(port, p.err()).toBeGreaterThan(0);
    const ready = await fetch(`http://127.0.0.1:${port}/readyz`);
    expect(ready.status).toBe(200);
    expect((await fetch(`http://127.0.0.1:${port}/docs/`)).status).toBe(200);
    // logs carry request ids and no bearer tokens
    await fetch(`http://127.0.0.1:${port}/api/staff/me`, { headers: { authorization: "Bearer secret-token-that-must-not-be-logged" } });
    await new Promise((r) => setTimeout(r, 300));
    expect(p.out()).toContain("reqId");
    expect(p.out()).not.toContain("secret-token-that-must-not-be-logged");
    p.child.kill("SIGTERM");
    expect(await p.exited).toBe(0);
  });
});
