import { spawn } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { DEFAULT_MODEL_CONFIG_PATH, readModelCard, writeModelCard } from "@gradphoto/face";
import { testDatabaseUrl, testdataDir } from "@gradphoto/testkit";

const root = path.resolve(import.meta.dirname, "../../..");

/** The CLI as its own process (async: a long calibration must not block the test runner). */
function gradphoto(args: string[], env: Record<string, string> = {}): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const child = spawn(process.execPath, ["--import", "tsx", path.join(root, "apps/cli/src/main.ts"), ...args], {
    cwd: root,
    env: { ...process.env, DATA_DIR: mkdtempSync(path.join(os.tmpdir(), "cli-")), ...env },
  });
  let stdout = "", stderr = "";
  child.stdout.on("data", (d) => (stdout += String(d)));
  child.stderr.on("data", (d) => (stderr += String(d)));
  return new Promise((resolve) => child.on("close", (code) => resolve({ code, stdout, stderr })));
}

describe("gradphoto calibrate-face and the face model in doctor", () => {
  const tmp = mkdtempSync(path.join(os.tmpdir(), "calib-cli-"));
  const card = path.join(tmp, "model.card.json");
  writeModelCard(card, { ...readModelCard(DEFAULT_MODEL_CONFIG_PATH), calibration: null });

  it("usage errors exit 2", async () => {
    expect((await gradphoto(["calibrate-face", "--far", "1e-4"])).code).toBe(2);
    expect((await gradphoto(["calibrate-face", "--pairs", "x.json", "--far", "lots"])).code).toBe(2);
    const missing = await gradphoto(["calibrate-face", "--pairs", path.join(tmp, "none.json"), "--far", "1e-4", "--card", card]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/cannot read pairs file/);
  });

  it("doctor shows an uncalibrated card as failing, then calibrate-face fills it in and doctor shows model, licence and calibration", async () => {
    const before = await gradphoto(["doctor", "--json"], { DATABASE_URL: testDatabaseUrl(), FACE_MODEL_CARD: card });
    const c0 = (JSON.parse(before.stdout) as { checks: Array<{ id: string; ok: boolean; detail: string }> }).checks.find((c) => c.id === "face.model")!;
    expect(c0).toMatchObject({ ok: false, detail: expect.stringMatching(/faceplugin-mfn-512: faceplugin_fr_feature\.onnx sha256 ok; NOT CALIBRATED.*licence: MIT/) });

    // a labelled set: the dev pairs whose images are among the first 40
    const all = JSON.parse(readFileSync(testdataDir("faces", "pairs.json"), "utf8")) as Array<{ a: string; b: string; same: boolean }>;
    const keep = new Set([...new Set(all.flatMap((p) => [p.a, p.b]))].slice(0, 40));
    const pairs = all.filter((p) => keep.has(p.a) && keep.has(p.b)).map((p) => ({ ...p, a: testdataDir("faces", p.a), b: testdataDir("faces", p.b) }));
    const pairsFile = path.join(tmp, "pairs.json");
    writeFileSync(pairsFile, JSON.stringify(pairs));
    const r = await gradphoto(["calibrate-face", "--pairs", pairsFile, "--far", "1e-3", "--card", card, "--json"]);
    expect(r.code, r.stderr).toBe(0);
    const report = JSON.parse(r.stdout) as { impostorComparisons: number; impostorsAt80: number; extrapolated: boolean; version: string; far: number };
    expect(report.far).toBe(1e-3);
    expect(report.impostorComparisons).toBeGreaterThan(200);
    expect(report.extrapolated).toBe(true); // fewer than 3/FAR comparisons: said so
    expect(readModelCard(card).calibration!.version).toBe(report.version);
    const text = await gradphoto(["calibrate-face", "--pairs", pairsFile, "--far", "1e-3", "--card", card, "--dry-run"]);
    expect(text.stderr).toMatch(/impostor comparisons \(every cross-identity pair\): \d+/);
    expect(text.stderr).toMatch(/confidence: LOW for FAR 0\.001/);
    expect(text.stderr).toMatch(/identity bootstrap/);

    const after = await gradphoto(["doctor", "--json"], { DATABASE_URL: testDatabaseUrl(), FACE_MODEL_CARD: card });
    const c1 = (JSON.parse(after.stdout) as { checks: Array<{ id: string; ok: boolean; detail: string }> }).checks.find((c) => c.id === "face.model")!;
    expect(c1.ok, c1.detail).toBe(true);
    expect(c1.detail).toContain(`calibration ${report.version} (80 ↔ FAR 0.001`);
  }, 300_000);
});
