import { spawnSync } from "node:child_process";
import { mkdtempSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { testDatabaseUrl } from "@gradphoto/testkit";

const root = path.resolve(import.meta.dirname, "../../..");

/** Runs the CLI entry exactly as `pnpm -s gradphoto` does (tsx apps/cli/src/main.ts). */
export function gradphoto(args: string[], env: Record<string, string> = {}) {
  const r = spawnSync(process.execPath, ["--import", "tsx", path.join(root, "apps/cli/src/main.ts"), ...args], {
    cwd: root,
    env: { ...process.env, DATA_DIR: mkdtempSync(path.join(os.tmpdir(), "cli-")), ...env },
    encoding: "utf8",
    timeout: 120_000,
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe("gradphoto CLI", () => {
  it("prints help and exits 0", () => {
    const r = gradphoto(["--help"]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/doctor/);
    expect(r.stdout).toMatch(/decode-code/);
  });

  it("exits 2 for usage errors", () => {
    expect(gradphoto(["frobnicate"]).code).toBe(2);
    expect(gradphoto(["doctor", "--no-such-flag"]).code).toBe(2);
  });

  it("doctor --json prints exactly one JSON value with every check", () => {
    const r = gradphoto(["doctor", "--json"], { DATABASE_URL: testDatabaseUrl() });
    const report = JSON.parse(r.stdout) as { ok: boolean; checks: Array<{ id: string; ok: boolean; detail: string }> };
    const ids = report.checks.map((c) => c.id);
    expect(ids).toEqual(expect.arrayContaining(["node", "models.dir", "models.yunet", "models.face-embedding", "config", "database", "database.migrations", "storage"]));
    for (const c of report.checks) expect(c.ok, `${c.id}: ${c.detail}`).toBe(true);
    expect(report.ok).toBe(true);
    expect(r.code).toBe(0);
  });

  it("doctor reports a missing model folder and an unreachable database", () => {
    const r = gradphoto(["doctor", "--json"], { DATABASE_URL: "postgresql://postgres@127.0.0.1:1/none", MODEL_DIR: "/nonexistent/models" });
    const report = JSON.parse(r.stdout) as { ok: boolean; checks: Array<{ id: string; ok: boolean; detail: string }> };
    expect(report.ok).toBe(false);
    expect(report.checks.find((c) => c.id === "models.dir")?.ok).toBe(false);
    expect(report.checks.find((c) => c.id === "database")).toMatchObject({ ok: false, detail: expect.stringMatching(/cannot reach the database/) });
    expect(r.code).toBe(1);
  });
});
