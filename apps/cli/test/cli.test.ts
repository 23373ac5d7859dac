import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { testDatabaseUrl, testdataDir } from "@gradphoto/testkit";

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

describe("gradphoto CLI: files it cannot read", () => {
  // A missing file, a folder (not a regular file: running as root, permissions cannot make a file unreadable) and bytes that are not an image.
  const dir = mkdtempSync(path.join(os.tmpdir(), "cli-files-"));
  mkdirSync(path.join(dir, "folder.jpg"));
  writeFileSync(path.join(dir, "text.jpg"), "not an image at all");
  const manifest = JSON.parse(readFileSync(testdataDir("faces", "manifest.json"), "utf8")) as { files: Array<{ path: string }> };
  const photo = testdataDir("faces", manifest.files[0]!.path);
  const bad = ["missing.jpg", "folder.jpg", "text.jpg"].map((f) => path.join(dir, f));
  const expected = ["FILE_NOT_FOUND", "FILE_NOT_READABLE", "INVALID_IMAGE"];
  const json = <T>(r: { stdout: string }) => JSON.parse(r.stdout) as T;

  it("check, standardize, decode-code and compare use one code per cause and exit 1", () => {
    const check = gradphoto(["check", ...bad, "--json"]);
    expect(json<Array<{ error?: { code: string } }>>(check).map((r) => r.error?.code)).toEqual(expected);
    expect(check.code).toBe(1);
    expect(check.stderr).toMatch(/3 of 3 inputs could not be processed/);

    const std = gradphoto(["standardize", ...bad, "--out-dir", path.join(dir, "out"), "--json"]);
    expect(json<Array<{ error?: { code: string } }>>(std).map((r) => r.error?.code)).toEqual(expected);
    expect(std.code).toBe(1);

    const dec = gradphoto(["decode-code", ...bad, "--json"]);
    expect(json<Array<{ error?: { code: string } }>>(dec).map((r) => r.error?.code)).toEqual(expected);
    expect(dec.code).toBe(1);

    const pairs = path.join(dir, "pairs.json");
    writeFileSync(pairs, JSON.stringify([...bad.map((b) => ({ a: photo, b: path.basename(b) })), { a: "missing.jpg", b: photo }]));
    const cmp = gradphoto(["compare", "--pairs", pairs, "--json"]);
    expect(json<Array<{ score: number | null; error?: { code: string } }>>(cmp).map((r) => r.error?.code)).toEqual([...expected, "FILE_NOT_FOUND"]);
    expect(cmp.code).toBe(1);
  });

  it("plain mode prints results on stdout and never shows an unreadable file as a failed comparison", () => {
    const r = gradphoto(["compare", photo, path.join(dir, "missing.jpg")]);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/^! not compared — FILE_NOT_FOUND: 找不到文件：.*missing\.jpg$/m);
    expect(r.stdout).not.toMatch(/not passed|score/);
    expect(r.stderr).toMatch(/1 of 1 input could not be processed/);

    const ok = gradphoto(["check", photo]);
    expect(ok.code).toBe(0); // read and judged: a verdict, whatever it is, is not a failure
    expect(ok.stdout).toMatch(/^[✔✘] /m);
    expect(ok.stderr).not.toContain(photo);
  });

  it("doctor prints its plain report on stdout", () => {
    const r = gradphoto(["doctor"], { DATABASE_URL: testDatabaseUrl() });
    expect(r.stdout).toMatch(/✔ node/);
    expect(r.code).toBe(0);
  });
});
